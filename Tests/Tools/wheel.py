#!/usr/bin/env python3
"""`make wheel`: dist/djsec-VERSION-py3-none-manylinux_X_Y_ARCH.whl, a
platform wheel whose payload is the static release binary, installed by
pip straight into the environment's bin/ as `djsec` (with its man page and
shell completions under the environment's share/) (the wheel's .data/scripts
folder, as ruff's wheels do: no Python starts in front of every hook run).

The manylinux tag is the glibc the binary needs, read from the binary
(release_binary.glibc_floor), so pip refuses the wheel on a system too old to
run it instead of installing a binary that cannot start."""
import base64, hashlib, os, sys, time, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import release_binary as rb

SUMMARY = "Keep a Django project's secrets out of harm's way: SECRET_KEY bootstrap, an encrypted store, rotation, leak scanning and a deployment audit."

def record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

def build(args, payload):
    version, arch = payload.version, payload.arch
    major, minor = payload.glibc
    tag = f"py3-none-manylinux_{major}_{minor}_{arch}"
    info = f"djsec-{version}.dist-info"
    readme = open(os.path.join(rb.ROOT, "README.md"), encoding="utf-8").read()
    metadata = "\n".join([
        "Metadata-Version: 2.1", "Name: djsec", f"Version: {version}", f"Summary: {SUMMARY}",
        "License: MIT", "Keywords: django,secrets,secret-scanning,libsodium,security",
        "Classifier: Environment :: Console", "Classifier: Framework :: Django",
        "Classifier: License :: OSI Approved :: MIT License", "Classifier: Operating System :: POSIX :: Linux",
        "Classifier: Topic :: Security", "Description-Content-Type: text/markdown", "", readme])
    wheel = f"Wheel-Version: 1.0\nGenerator: djsec Tests/Tools/wheel.py\nRoot-Is-Purelib: false\nTag: {tag}\n"
    folder, scripts = f"djsec-{version}.data", payload.completions
    # .data/scripts/ is the environment's bin/; .data/data/ its prefix, where man pages and completions are looked for.
    files = [(f"{folder}/scripts/djsec", payload.binary, 0o755),
             (f"{folder}/data/share/man/man1/djsec.1", payload.man_page, 0o644),
             (f"{folder}/data/share/bash-completion/completions/djsec", scripts["bash"], 0o644),
             (f"{folder}/data/share/zsh/site-functions/_djsec", scripts["zsh"], 0o644),
             (f"{folder}/data/share/fish/vendor_completions.d/djsec.fish", scripts["fish"], 0o644)]
    files += [(f"{info}/METADATA", metadata.encode(), 0o644), (f"{info}/WHEEL", wheel.encode(), 0o644),
              (f"{info}/LICENSE", open(os.path.join(rb.ROOT, "LICENSE"), "rb").read(), 0o644)]
    files += [(f"{info}/licenses/{lib}", text.encode(), 0o644) for lib, text in payload.notices]
    record = "".join(f"{path},{record_hash(data)},{len(data)}\n" for path, data, _ in files) + f"{info}/RECORD,,\n"
    files.append((f"{info}/RECORD", record.encode(), 0o644))
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"djsec-{version}-{tag}.whl")
    stamp = max(rb.source_date(), 315532800)  # zip cannot say a time before 1980
    date = time.gmtime(stamp)[:6]
    with zipfile.ZipFile(path + ".new", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in files:
            entry = zipfile.ZipInfo(name, date_time=date)
            # pip makes a file executable when the zip entry's Unix mode says so.
            entry.external_attr = (0o100000 | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(entry, data)
    os.replace(path + ".new", path)
    rb.checksums(args.out)
    print(f"{path}: installs `djsec` into a virtualenv's bin/ on Linux {arch} with glibc {major}.{minor} or newer")

if __name__ == "__main__":
    rb.command_line(build, __doc__)
