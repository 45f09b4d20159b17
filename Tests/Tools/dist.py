#!/usr/bin/env python3
"""`make dist`: dist/djsec-VERSION-linux-ARCH.tar.gz holding the static
release binary, its shell completions, a man page generated from the argument
parser, LICENSE, README.md and the licences of what is linked in, plus
dist/SHA256SUMS. The same commit gives the same bytes (sorted members, the
commit's time, no owner names, gzip without a timestamp)."""
import gzip, io, os, sys, tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import release_binary as rb

def build(args, payload):
    name = f"djsec-{payload.version}-linux-{payload.arch}"
    mtime = rb.source_date()
    scripts = payload.completions
    members = [("djsec", payload.binary, 0o755), ("completions/djsec.bash", scripts["bash"], 0o644),
               ("completions/_djsec", scripts["zsh"], 0o644), ("completions/djsec.fish", scripts["fish"], 0o644),
               ("man/djsec.1", payload.man_page, 0o644)]
    for file in ["LICENSE", "README.md"]:
        members.append((file, open(os.path.join(rb.ROOT, file), "rb").read(), 0o644))
    members += [(f"licenses/{lib}", text.encode(), 0o644) for lib, text in payload.notices]
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"{name}.tar.gz")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        folders = sorted({os.path.dirname(m[0]) for m in members if os.path.dirname(m[0])})
        for entry in [(name, None, 0o755)] + [(f"{name}/{d}", None, 0o755) for d in folders] + \
                     sorted((f"{name}/{m[0]}", m[1], m[2]) for m in members):
            info = tarfile.TarInfo(entry[0])
            info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = mtime, entry[2], 0, 0, "", ""
            if entry[1] is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(entry[1])
                tar.addfile(info, io.BytesIO(entry[1]))
    with open(path + ".new", "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    os.replace(path + ".new", path)
    rb.checksums(args.out)
    print(f"{path}: djsec {payload.version} for Linux {payload.arch}, glibc {payload.glibc[0]}.{payload.glibc[1]} or newer")

if __name__ == "__main__":
    rb.command_line(build, __doc__)
