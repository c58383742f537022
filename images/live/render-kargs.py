#!/usr/bin/env python3
"""render-kargs.py ISOROOT DEFAULT_KARGS SIZE TEMPLATE:ISOPATH...
Renders bootloader configs whose @AREA@ placeholder becomes a karg embed area (kargs + '\\n' +
'#' padding to SIZE bytes, followed in the template by '# COREOS_KARG_EMBED_AREA'), then writes
coreos/kargs.json and nestos/kargs.json with the byte offset of the area in each file."""
import json, os, sys

root, default, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
if len(default) + 1 > size:
    sys.exit("default kargs do not fit the embed area")
area = (default + "\n").ljust(size, "#").encode()
files = []
for spec in sys.argv[4:]:
    template, path = spec.split(":", 1)
    text = open(template, "rb").read()
    at = text.index(b"@AREA@")
    data = text[:at] + area + text[at + len(b"@AREA@"):]
    dest = os.path.join(root, path)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    open(dest, "wb").write(data)
    files.append({"path": path, "offset": at})
doc = json.dumps({"default": default, "files": files, "size": size}, indent=2) + "\n"
for d in ("coreos", "nestos"):
    os.makedirs(os.path.join(root, d), exist_ok=True)
    open(os.path.join(root, d, "kargs.json"), "w").write(doc)
