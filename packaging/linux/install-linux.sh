#!/bin/sh
# Install the one-folder build for the current user (the Linux mirror of xmen-desktop.iss):
# the app in ~/.local/opt/xmen-desktop, a menu entry, the icon, and .xmb bundles opening the app.
#   packaging/linux/install-linux.sh [BUILD_FOLDER]   (default: dist/xmen-desktop)
#   packaging/linux/install-linux.sh --uninstall      (the data folder is kept)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
share=${XDG_DATA_HOME:-$HOME/.local/share}
dest=$HOME/.local/opt/xmen-desktop
icons=$share/icons/hicolor

refresh() {
  update-mime-database "$share/mime" 2>/dev/null || true
  update-desktop-database "$share/applications" 2>/dev/null || true
  gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
}

if [ "${1-}" = "--uninstall" ]; then
  rm -rf "$dest"
  rm -f "$HOME/.local/bin/xmen-desktop" "$HOME/.local/bin/xmen" \
    "$share/applications/xmen-desktop.desktop" "$share/mime/packages/xmen-desktop.xml"
  for size in 16 24 32 48 64 128 256; do rm -f "$icons/${size}x${size}/apps/xmen-desktop.png"; done
  rm -f "$icons/scalable/apps/xmen-desktop.svg"
  refresh
  echo "已卸载。数据文件夹没有删除（~/.local/share/xmen-desktop）。"
  exit 0
fi

src=${1:-$root/dist/xmen-desktop}
if [ ! -x "$src/xmen-desktop" ]; then
  echo "找不到 $src/xmen-desktop：请先按 README 的「打包与安装」一节打包。" >&2
  exit 1
fi
rm -rf "$dest"
mkdir -p "$dest" "$HOME/.local/bin" "$share/applications" "$share/mime/packages"
cp -a "$src/." "$dest/"
ln -sf "$dest/xmen-desktop" "$HOME/.local/bin/xmen-desktop"
ln -sf "$dest/xmen" "$HOME/.local/bin/xmen"
sed "s|^Exec=xmen-desktop |Exec=\"$dest/xmen-desktop\" |" "$here/xmen-desktop.desktop" \
  >"$share/applications/xmen-desktop.desktop"
cp "$here/xmen-desktop-mime.xml" "$share/mime/packages/xmen-desktop.xml"
for size in 16 24 32 48 64 128 256; do
  mkdir -p "$icons/${size}x${size}/apps"
  cp "$dest/_internal/resources/icons/xmen-desktop-$size.png" "$icons/${size}x${size}/apps/xmen-desktop.png"
done
mkdir -p "$icons/scalable/apps"
cp "$dest/_internal/resources/icons/xmen-desktop.svg" "$icons/scalable/apps/xmen-desktop.svg"
refresh
xdg-mime default xmen-desktop.desktop application/x-xmen-bundle 2>/dev/null || true
echo "已安装到 $dest；在应用程序菜单里找「自治家园工作台」。"
