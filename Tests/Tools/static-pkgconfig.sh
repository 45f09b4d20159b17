#!/bin/sh
# Writes pkg-config files that make SwiftPM link libsodium, Hyperscan (or
# Vectorscan), PCRE2 and zlib statically, and libstdc++ with them, so the
# release binary needs nothing beyond glibc (`make release`).
#
# Why pkg-config files: SwiftPM reads the system libraries' .pc files itself and
# passes their `-L/usr/lib/<triple>` to the linker ahead of any flag we could
# add, so the linker finds the shared objects first. These files name a folder
# that holds only the Debian -dev packages' archives (`.a`), so `-lsodium`,
# `-lhs`, ... and the Swift runtime's `-lstdc++` resolve to archives. The
# compiler flags are the system's own, so nothing but the link changes.
set -eu
out=${1:?usage: static-pkgconfig.sh OUTDIR}
mkdir -p "$out/lib" "$out/pkgconfig"
lib=$(cd "$out/lib" && pwd)

archive() { # NAME PATH: link PATH into the archive folder, or say which package lacks it
  [ -f "$2" ] || { echo "error: $2 not found; install the -dev package that ships lib$1.a" >&2; exit 1; }
  ln -sf "$2" "$lib/lib$1.a"
}

for pc in libsodium:sodium libhs:hs libpcre2-8:pcre2-8 zlib:z; do
  module=${pc%%:*}
  name=${pc#*:}
  libdir=$(pkg-config --variable=libdir "$module")
  archive "$name" "$libdir/lib$name.a"
  {
    echo "Name: $module"
    echo "Description: $module, linked statically for the release binary"
    echo "Version: $(pkg-config --modversion "$module")"
    echo "Libs: -L$lib -l$name"
    echo "Cflags: $(pkg-config --cflags "$module")"
  } >"$out/pkgconfig/$module.pc.new"
  # Rewritten only when it changes, so SwiftPM does not relink for nothing.
  if cmp -s "$out/pkgconfig/$module.pc.new" "$out/pkgconfig/$module.pc"; then
    rm "$out/pkgconfig/$module.pc.new"
  else
    mv "$out/pkgconfig/$module.pc.new" "$out/pkgconfig/$module.pc"
  fi
done
# Hyperscan is C++, and so is part of the Swift runtime: the C++ library goes in too.
archive stdc++ "$(${CXX:-g++} -print-file-name=libstdc++.a)"
