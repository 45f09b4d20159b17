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
    try Self.assertRunsAlone(CLI.binary, name: "binary-alone")
  }

  /// Copies `binary` alone into an empty folder and runs it under `env -i`
  /// on a committed startproject: init, scan (startproject's key is found)
  /// and hook install. ReleasePackageTests runs it on the release binary.
  static func assertRunsAlone(_ binary: URL, name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let python = try CLI.python()
    let work = try CLI.startProject(name, python: python)
    defer { try? FileManager.default.removeItem(at: work) }
    let lonely = work.appendingPathComponent("bin-only")
    try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
    let copy = lonely.appendingPathComponent("djsec")
    try FileManager.default.copyItem(at: binary, to: copy)
    let project = work.appendingPathComponent("demo")
    try CLI.git(["init", "-q", "-b", "main"], in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-q", "-m", "startproject"], in: project)
    let bare = ["-i", "PATH=/usr/bin:/bin", "HOME=\(work.path)"]
    func alone(_ args: [String]) throws -> Run {
      try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), bare + [copy.path] + args, in: project)
    }
    let initRun = try alone(["init", ".", "--host", "example.com"])
    XCTAssertEqual(initRun.status, 0, initRun.stderr, file: file, line: line)
    XCTAssertTrue(
      FileManager.default.fileExists(atPath: project.appendingPathComponent("demo/local_settings.py").path), file: file, line: line)
    let scan = try alone(["scan", "."])
    XCTAssertEqual(scan.status, 0, scan.stderr, file: file, line: line)
    XCTAssertTrue(scan.stdout.contains("django-insecure-secret-key"), "startproject's key is found: \(scan.stdout)", file: file, line: line)
    let hook = try alone(["hook", "install"])
    XCTAssertEqual(hook.status, 0, hook.stderr, file: file, line: line)
  }
}
