#!/bin/sh
# Vendor the YASQE SPARQL editor into the package (src/mskg/server/static/vendor/yasqe/) so the
# query page of `mskg serve` works offline. Reproducible: pinned versions, every downloaded
# tarball and every vendored file checked against its sha256; a mismatch stops the script.
#
#   tools/vendor-yasqe.sh          # needs npm (only `npm pack`, which downloads a tarball)
set -eu

YASQE=@zazuko/yasqe@4.6.2
YASQE_TGZ_SHA256=06fb9f18817157d755df192cd613fb77cc2aa1a7048469d3f05da461809d6f00
# @zazuko/yasqe ships no licence file; its MIT licence text is the one of the package it forks.
LICENSE_FROM=@triply/yasqe@4.2.28
LICENSE_TGZ_SHA256=dd138538d05466e857ed61fed93db662f40f3d664b875c625f4a7415c0330fd7
# The built file bundles CodeMirror 5.65.21 (MIT): its licence goes beside it.
CODEMIRROR=codemirror@5.65.21
CODEMIRROR_TGZ_SHA256=b26d9d7ae0f42e34b44a8f7667d29a3ab0d3df88d0e79c0dad39dc03ba43f6dc

JS_SHA256=288202e5f1c0195a71d1190b35c052ad5e5103e73d61455da029ffcacb7f9347
CSS_SHA256=f82256c2a56f83a5356abef88c760cff67da21e38873e744db73afaf08f285a2

here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/src/mskg/server/static/vendor/yasqe"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() { # FILE SHA256
    actual=$(sha256sum "$1" | cut -d' ' -f1)
    if [ "$actual" != "$2" ]; then
        echo "vendor-yasqe: $1: sha256 $actual, expected $2" >&2
        exit 1
    fi
}

unpack() { # PACKAGE SHA256 DIR
    mkdir -p "$work/$3"
    tgz=$(cd "$work" && npm pack --silent "$1" | tail -n 1)
    check "$work/$tgz" "$2"
    tar xzf "$work/$tgz" -C "$work/$3"
}

unpack "$YASQE" "$YASQE_TGZ_SHA256" yasqe
unpack "$LICENSE_FROM" "$LICENSE_TGZ_SHA256" license
unpack "$CODEMIRROR" "$CODEMIRROR_TGZ_SHA256" codemirror
check "$work/yasqe/package/build/yasqe.min.js" "$JS_SHA256"
check "$work/yasqe/package/build/yasqe.min.css" "$CSS_SHA256"

mkdir -p "$dest"
cp "$work/yasqe/package/build/yasqe.min.js" "$work/yasqe/package/build/yasqe.min.css" "$dest/"
cp "$work/license/package/LICENSE.txt" "$dest/LICENSE"
cp "$work/codemirror/package/LICENSE" "$dest/LICENSE.codemirror"
{
    echo "package: $YASQE (npm registry, https://registry.npmjs.org/), licence MIT"
    echo "tarball sha256: $YASQE_TGZ_SHA256"
    echo "LICENSE: from $LICENSE_FROM (tarball sha256 $LICENSE_TGZ_SHA256)"
    echo "LICENSE.codemirror: from $CODEMIRROR (bundled in yasqe.min.js; tarball sha256 $CODEMIRROR_TGZ_SHA256)"
    echo "files (sha256):"
    (cd "$dest" && sha256sum yasqe.min.js yasqe.min.css LICENSE LICENSE.codemirror)
} >"$dest/VERSION"
echo "vendor-yasqe: $dest"
