import DjsecTestSupport
import Foundation
import XCTest

/// What a user downloads: the static release binary (`make release`), the
/// tarball (`make dist`) and the wheel (`make wheel`), each used the way a
/// user would on a machine that has none of djsec's build dependencies.
/// `make test` builds them first and names them through DJSEC_RELEASE_BIN and
/// DJSEC_DIST.
final class ReleasePackageTests: XCTestCase {
  /// glibc's own libraries and the loader, and libgcc_s (the unwinder every
  /// C++ and Swift program shares): all a machine needs to run djsec.
  static let glibc: Set<String> = [
    "linux-vdso.so.1", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1",
    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libgcc_s.so.1",
  ]

  static func made(_ variable: String, what: String) throws -> URL {
    guard let path = ProcessInfo.processInfo.environment[variable] else {
      if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("\(variable) is not set: run make test") }
      throw XCTSkip("\(variable) is not set: `make test` builds \(what) first")
    }
    return URL(fileURLWithPath: path)
  }

  static func dist(_ suffix: String) throws -> URL {
    let folder = try made("DJSEC_DIST", what: "dist/")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(suffix) }
    XCTAssertEqual(names.count, 1, "one \(suffix) in \(folder.path): \(names)")
    guard let name = names.first else { throw XCTSkip("no \(suffix) in \(folder.path)") }
    return folder.appendingPathComponent(name)
  }

  /// The libraries `ldd` says the binary loads, by file name.
  static func sharedLibraries(_ binary: URL) throws -> [String] {
    let r = try CLI.run(URL(fileURLWithPath: "/usr/bin/ldd"), [binary.path])
    XCTAssertEqual(r.status, 0, r.stderr)
    return r.stdout.split(separator: "\n").compactMap { line in
      line.split(separator: " ").first.map { String($0.split(separator: "/").last ?? $0).trimmingCharacters(in: .whitespaces) }
    }
  }

  func testTheReleaseBinaryNeedsOnlyGlibcAndRunsAloneWithAnEmptyEnvironment() throws {
    let binary = try Self.made("DJSEC_RELEASE_BIN", what: "the release binary")
    let libraries = try Self.sharedLibraries(binary)
    XCTAssertTrue(libraries.contains("libc.so.6"), "ldd read the binary: \(libraries)")
    XCTAssertEqual(libraries.filter { !Self.glibc.contains($0) }, [], "the release binary loads only glibc (and libgcc_s)")
    let version = try CLI.run(binary, ["--version"])
    XCTAssertTrue(
      version.stdout.range(
        of: #"^\d+\.\d+\.\d+ \(commit [0-9a-f]{12}(-dirty)?; libsodium [0-9.]+, (Hyperscan|Vectorscan) [0-9.]+\)"#,
        options: .regularExpression) != nil, version.stdout)
    try EmbeddedFilesTests.assertRunsAlone(binary, name: "release-alone")
  }

  func testTheTarballHoldsTheBinaryCompletionsManPageAndLicencesAndItsChecksum() throws {
    let tarball = try Self.dist(".tar.gz")
    let folder = tarball.deletingLastPathComponent()
    let sums = try CLI.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), ["-c", "--ignore-missing", "--strict", "SHA256SUMS"], in: folder)
    XCTAssertEqual(sums.status, 0, sums.stdout + sums.stderr)
    XCTAssertTrue(sums.stdout.contains("\(tarball.lastPathComponent): OK"), sums.stdout)

    let work = try CLI.temporaryFolder("dist")
    defer { try? FileManager.default.removeItem(at: work) }
    let untar = try CLI.run(URL(fileURLWithPath: "/usr/bin/tar"), ["-xzf", tarball.path, "-C", work.path])
    XCTAssertEqual(untar.status, 0, untar.stderr)
    let top = try FileManager.default.contentsOfDirectory(atPath: work.path)
    XCTAssertEqual(top, [String(tarball.lastPathComponent.dropLast(".tar.gz".count))], "one folder named as the tarball")
    let root = work.appendingPathComponent(top[0])
    for file in [
      "djsec", "LICENSE", "README.md", "man/djsec.1", "completions/djsec.bash", "completions/_djsec", "completions/djsec.fish",
      "licenses/sodium", "licenses/hs", "licenses/pcre2-8", "licenses/z", "licenses/stdc++", "licenses/swift",
      "licenses/swift-argument-parser",
    ] {
      XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path), "\(file) is in the tarball")
    }
    let binary = root.appendingPathComponent("djsec")
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary.path))
    XCTAssertEqual(try Self.sharedLibraries(binary).filter { !Self.glibc.contains($0) }, [])
    let version = try CLI.run(binary, ["--version"])
    XCTAssertEqual(version.status, 0, version.stderr)
    XCTAssertTrue(tarball.lastPathComponent.hasPrefix("djsec-\(version.stdout.split(separator: " ")[0])-linux-"), "named by its version")

    // The man page is the argument parser's, so it names every subcommand.
    let man = try CLI.run(
      URL(fileURLWithPath: "/usr/bin/man"), ["-l", root.appendingPathComponent("man/djsec.1").path],
      environment: ["MANPAGER": "cat", "MANWIDTH": "100"])
    XCTAssertEqual(man.status, 0, man.stderr)
    for subcommand in ["init", "scan", "check", "rotate", "git-setup"] {
      XCTAssertTrue(man.stdout.contains(subcommand), "the man page names \(subcommand)")
    }
    let bash = try CLI.run(URL(fileURLWithPath: "/bin/bash"), ["-n", root.appendingPathComponent("completions/djsec.bash").path])
    XCTAssertEqual(bash.status, 0, "the bash completion parses: \(bash.stderr)")
    let license = try String(contentsOf: root.appendingPathComponent("licenses/sodium"), encoding: .utf8)
    XCTAssertTrue(license.contains("Frank Denis"), "libsodium's own copyright notice travels with the binary")
  }

  func testMakeInstallPutsTheStrippedBinaryAndCompletionsUnderThePrefix() throws {
    let prefix = try Self.made("DJSEC_INSTALLED", what: "make install into a DESTDIR")
    let binary = prefix.appendingPathComponent("bin/djsec")
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary.path))
    XCTAssertEqual(try Self.sharedLibraries(binary).filter { !Self.glibc.contains($0) }, [])
    XCTAssertEqual(try CLI.run(binary, ["--version"]).status, 0)
    for file in [
      "share/bash-completion/completions/djsec", "share/zsh/site-functions/_djsec", "share/fish/vendor_completions.d/djsec.fish",
    ] {
      XCTAssertTrue(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), file)
    }
    // share/djsec is the team's own overrides: an install or upgrade never writes it.
    XCTAssertFalse(FileManager.default.fileExists(atPath: prefix.appendingPathComponent("share/djsec").path))
    let symbols = try CLI.run(URL(fileURLWithPath: "/usr/bin/readelf"), ["-S", "-W", binary.path])
    XCTAssertFalse(symbols.stdout.contains(".debug_info"), "installed stripped of its debug information")
  }

  func testTheWheelInstallsDjsecIntoAFreshVirtualenvThatInitsAndScans() throws {
    let wheel = try Self.dist(".whl")
    XCTAssertNotNil(
      wheel.lastPathComponent.range(of: #"^djsec-\d+\.\d+\.\d+-py3-none-manylinux_2_\d+_x86_64\.whl$"#, options: .regularExpression),
      wheel.lastPathComponent)
    // The README states the glibc floor the wheel's tag says (both come from the binary).
    let floor = wheel.lastPathComponent.components(separatedBy: "manylinux_")[1].split(separator: "_").prefix(2).joined(separator: ".")
    let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    XCTAssertTrue(readme.contains("glibc \(floor) or newer"), "README.md names glibc \(floor)")
    let python = try CLI.python()
    let work = try CLI.startProject("wheel", python: python)
    defer { try? FileManager.default.removeItem(at: work) }
    let venv = work.appendingPathComponent("fresh-venv")
    let made = try CLI.run(python, ["-m", "venv", venv.path])
    XCTAssertEqual(made.status, 0, made.stderr)
    // pip checks the manylinux tag against this machine's glibc, and installs
    // from the file alone: nothing comes from an index.
    let pip = try CLI.run(
      venv.appendingPathComponent("bin/python"),
      ["-m", "pip", "install", "--no-index", "--disable-pip-version-check", "-q", wheel.path])
    XCTAssertEqual(pip.status, 0, pip.stderr)
    let installed = venv.appendingPathComponent("bin/djsec")
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: installed.path), "pip put djsec in the virtualenv's bin/")
    for file in ["share/man/man1/djsec.1", "share/bash-completion/completions/djsec", "share/zsh/site-functions/_djsec"] {
      XCTAssertTrue(FileManager.default.fileExists(atPath: venv.appendingPathComponent(file).path), "\(file) in the virtualenv")
    }

    let project = work.appendingPathComponent("demo")
    try CLI.git(["init", "-q", "-b", "main"], in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-q", "-m", "startproject"], in: project)
    // Called by name from the virtualenv's bin/, as an activated virtualenv would.
    let path = ["PATH": venv.appendingPathComponent("bin").path + ":/usr/bin:/bin"]
    let which = try CLI.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "command -v djsec"], environment: path)
    XCTAssertEqual(which.stdout.trimmingCharacters(in: .whitespacesAndNewlines), installed.path)
    let initRun = try CLI.run(
      URL(fileURLWithPath: "/usr/bin/env"), ["djsec", "init", ".", "--host", "example.com", "--hsts", "full"], in: project,
      environment: path)
    XCTAssertEqual(initRun.status, 0, initRun.stderr)
    XCTAssertTrue(FileManager.default.fileExists(atPath: project.appendingPathComponent("demo/local_settings.py").path))
    let deploy = try CLI.run(python, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], in: project)
    XCTAssertEqual(deploy.status, 0, "Django's deploy check is clean after the wheel's djsec init: \(deploy.stdout)\(deploy.stderr)")
    let scan = try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["djsec", "scan", "."], in: project, environment: path)
    XCTAssertEqual(scan.status, 0, scan.stderr)
    XCTAssertTrue(scan.stdout.contains("django-insecure-secret-key"), scan.stdout)

    let uninstall = try CLI.run(venv.appendingPathComponent("bin/python"), ["-m", "pip", "uninstall", "-y", "-q", "djsec"])
    XCTAssertEqual(uninstall.status, 0, uninstall.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: installed.path), "pip uninstall removes the binary it installed")
  }
}
