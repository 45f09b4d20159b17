"""What `make dist` and `make wheel` both need from the release binary: proof
that it needs nothing beyond glibc, the glibc version it needs (the wheel's
manylinux tag and the README's floor come from it, never from a constant), a
stripped copy, and the licences of what is linked into it.

Imported by dist.py and wheel.py; run alone it checks a binary:
    python3 Tests/Tools/release_binary.py check .build/release/djsec
"""
import os, re, shutil, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# glibc's own libraries (and the loader), plus libgcc_s, which the issue
# allows: the unwinder every C++ and Swift program on Linux shares.
GLIBC = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1",
         "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "linux-vdso.so.1"}
ALLOWED = GLIBC | {"libgcc_s.so.1"}

class ReleaseError(Exception):
    pass

def needed(binary):
    """The shared objects the binary asks the loader for (readelf's NEEDED
    entries: unlike ldd, nothing is run)."""
    out = subprocess.run(["readelf", "-d", "-W", binary], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)

def check_static(binary):
    extra = sorted(set(needed(binary)) - ALLOWED)
    if extra:
        raise ReleaseError(f"{binary} links {', '.join(extra)} dynamically; build it with `make release`, "
                           "which links them statically (Tests/Tools/static-pkgconfig.sh)")

def glibc_floor(binary):
    """The highest GLIBC_x.y symbol version the binary uses: the oldest glibc
    that can run it."""
    out = subprocess.run(["objdump", "-T", binary], capture_output=True, text=True, check=True).stdout
    versions = {tuple(int(p) for p in v.split(".")) for v in re.findall(r"\bGLIBC_(\d+\.\d+(?:\.\d+)?)\b", out)}
    if not versions:
        raise ReleaseError(f"{binary} names no glibc symbol version; is it a Linux executable?")
    return max(versions)[:2]

def version_line(binary):
    """`djsec --version`: `0.1.0 (commit …; libsodium …, Hyperscan …)`."""
    return subprocess.run([binary, "--version"], capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin"}).stdout.strip()

def machine():
    arch = os.uname().machine
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)

def stripped_copy(binary, dest):
    """Debug symbols are most of the unstripped file; the dynamic symbols
    and Swift's reflection metadata stay."""
    shutil.copyfile(binary, dest)
    subprocess.run(["strip", "--strip-debug", "--strip-unneeded", dest], check=True)
    os.chmod(dest, 0o755)

def completions(binary):
    """{shell: script} from the binary's own argument parser."""
    return {shell: subprocess.run([binary, "--generate-completion-script", shell], capture_output=True, check=True).stdout
            for shell in ("bash", "zsh", "fish")}

def man_page(binary, generate_manual, work):
    """djsec.1 from swift-argument-parser's own manual generator, which reads
    the binary's --experimental-dump-help: the page says what this binary
    takes. Dated by the commit, so the same commit gives the same page."""
    day = time.strftime("%Y-%m-%d", time.gmtime(source_date()))
    subprocess.run([generate_manual, binary, "--date", day, "--output-directory", work], check=True)
    return open(os.path.join(work, "djsec.1"), "rb").read()

def _owning_package(path):
    out = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True)
    return out.stdout.split(":")[0] if out.returncode == 0 else None

def notices(static_libs, binary):
    """(name, text) of every licence the binary carries: djsec's own, then
    each archive in the static folder (the Debian package's copyright file,
    found through dpkg), the Swift runtime and swift-argument-parser. Read at
    build time from this machine, never copied into the repository."""
    found = []
    # The build folder (SCRATCH) holds the binary and the packages' checkouts.
    scratch = os.path.dirname(os.path.realpath(binary))
    while scratch != "/" and not os.path.isdir(os.path.join(scratch, "checkouts")):
        scratch = os.path.dirname(scratch)
    for archive in sorted(os.listdir(static_libs)):
        package = _owning_package(os.path.join(static_libs, archive))
        copyright = package and f"/usr/share/doc/{package}/copyright"
        if not copyright or not os.path.exists(copyright):
            raise ReleaseError(f"no licence found for {archive} (package {package}); install its -dev package from Debian")
        found.append((archive.removesuffix(".a").removeprefix("lib"), open(copyright, encoding="utf-8", errors="replace").read()))
    swiftc = shutil.which("swiftc")
    toolchain = os.path.dirname(os.path.dirname(os.path.realpath(swiftc))) if swiftc else "/opt/swift/usr"
    for name, path in [("swift", os.path.join(toolchain, "share/swift/LICENSE.txt")),
                       ("swift-argument-parser", os.path.join(scratch, "checkouts/swift-argument-parser/LICENSE.txt"))]:
        if not os.path.exists(path):
            raise ReleaseError(f"{path} not found: the licence of {name} goes into every package; run `make release` first")
        found.append((name, open(path, encoding="utf-8").read()))
    return found

def source_date():
    """The last commit's time, so the same commit gives the same package bytes."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return int(os.environ["SOURCE_DATE_EPOCH"])
    out = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%ct"], capture_output=True, text=True)
    return int(out.stdout.strip() or 315532800)

def checksums(folder):
    """SHA256SUMS beside the packages, in sha256sum's own format
    (`sha256sum -c SHA256SUMS` checks it)."""
    import hashlib
    lines = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name == "SHA256SUMS" or not os.path.isfile(path):
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {name}\n")
    with open(os.path.join(folder, "SHA256SUMS.new"), "w") as f:
        f.writelines(lines)
    os.replace(os.path.join(folder, "SHA256SUMS.new"), os.path.join(folder, "SHA256SUMS"))

class Payload:
    """What the tarball and the wheel both carry, made once per package from
    the release binary: it is checked, stripped, and asked for its version,
    completions and man page; the licences come with it."""

    def __init__(self, args, work):
        check_static(args.binary)
        said = version_line(args.binary)
        # A release must name the commit it was built from: a -dirty build cannot be tied to one.
        if "-dirty" in said:
            print(f"warning: {said}: built from a work tree with uncommitted changes; not for a release", file=sys.stderr)
        self.version, self.arch, self.glibc = said.split()[0], machine(), glibc_floor(args.binary)
        stripped = os.path.join(work, "djsec")
        stripped_copy(args.binary, stripped)
        self.binary = open(stripped, "rb").read()
        self.completions = completions(stripped)
        self.man_page = man_page(stripped, args.generate_manual, work)
        self.notices = notices(args.static_libs, args.binary)

def command_line(build, doc):
    """dist.py's and wheel.py's shared command line: `build(args, payload)`
    with --binary, --static-libs, --generate-manual and --out; a ReleaseError
    is one line and exit 1."""
    import argparse, tempfile
    p = argparse.ArgumentParser(description=doc)
    for option in ("--binary", "--static-libs", "--generate-manual"):
        p.add_argument(option, required=True)
    p.add_argument("--out", default="dist")
    args = p.parse_args()
    try:
        with tempfile.TemporaryDirectory() as work:
            build(args, Payload(args, work))
    except ReleaseError as e:
        sys.exit(f"error: {e}")

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "check":
        sys.exit("usage: release_binary.py check BINARY")
    try:
        check_static(sys.argv[2])
        floor = glibc_floor(sys.argv[2])
    except ReleaseError as e:
        sys.exit(f"error: {e}")
    print(f"{sys.argv[2]}: needs only glibc {floor[0]}.{floor[1]} or newer ({', '.join(needed(sys.argv[2]))})")
