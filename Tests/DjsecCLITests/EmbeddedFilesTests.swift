import DjsecTestSupport
import Foundation
import XCTest

/// The rules and templates are compiled into the binary, so djsec copied
/// alone into an empty folder and run with an empty environment bootstraps a
/// project and scans it; the compiled-in copy is what the files say.
final class EmbeddedFilesTests: XCTestCase {
  func testTheCompiledInFilesAreCurrent() throws {
    let r = try CLI.run(
      URL(fileURLWithPath: "/usr/bin/env"), ["python3", CLI.packageRoot.appendingPathComponent("Tests/Tools/embed.py").path, "--check"])
    XCTAssertEqual(r.status, 0, "\(r.stderr): run make embed")
  }

  func testTheBinaryAloneInitsAndScansWithAnEmptyEnvironment() throws {
    let python = try CLI.python()
    let work = try CLI.startProject("binary-alone", python: python)
    defer { try? FileManager.default.removeItem(at: work) }
    let lonely = work.appendingPathComponent("bin-only")
    try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
    let copy = lonely.appendingPathComponent("djsec")
    try FileManager.default.copyItem(at: CLI.binary, to: copy)
    let project = work.appendingPathComponent("demo")
    try CLI.git(["init", "-q", "-b", "main"], in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-q", "-m", "startproject"], in: project)
    let bare = ["/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "HOME=\(work.path)"]
    let initRun = try CLI.run(
      URL(fileURLWithPath: bare[0]), Array(bare.dropFirst()) + [copy.path, "init", ".", "--host", "example.com"], in: project)
    XCTAssertEqual(initRun.status, 0, initRun.stderr)
    XCTAssertTrue(FileManager.default.fileExists(atPath: project.appendingPathComponent("demo/local_settings.py").path))
    let scan = try CLI.run(URL(fileURLWithPath: bare[0]), Array(bare.dropFirst()) + [copy.path, "scan", "."], in: project)
    XCTAssertEqual(scan.status, 0, scan.stderr)
    XCTAssertTrue(scan.stdout.contains("django-insecure-secret-key"), "startproject's key is found: \(scan.stdout)")
    let hook = try CLI.run(URL(fileURLWithPath: bare[0]), Array(bare.dropFirst()) + [copy.path, "hook", "install"], in: project)
    XCTAssertEqual(hook.status, 0, hook.stderr)
  }
}
