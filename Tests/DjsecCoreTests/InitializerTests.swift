import Foundation
import XCTest

@testable import DjsecCore

/// Each bad input to `init` is refused with its own error and leaves every file as it was.
final class InitializerTests: XCTestCase {
  private var folder: URL!

  override func setUpWithError() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-init-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    _ = Subprocess.run("chattr", ["-i", folder.path])
    try? FileManager.default.removeItem(at: folder)
  }

  private var initializer: Initializer {
    Initializer(template: SettingsTemplate(name: "t", text: "SECRET_KEY = {{SECRET_KEY}}\nALLOWED_HOSTS = {{ALLOWED_HOSTS}}\n"))
  }

  /// A minimal project of the shape `django-admin startproject site` makes.
  private func makeProject(module: String = "site.settings") throws {
    try "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', '\(module)')\n"
      .write(to: folder.appendingPathComponent("manage.py"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("site"), withIntermediateDirectories: true)
    try "DEBUG = True\n".write(to: folder.appendingPathComponent("site/settings.py"), atomically: true, encoding: .utf8)
  }

  private func snapshot() throws -> [String: Data] {
    var files: [String: Data] = [:]
    let e = FileManager.default.enumerator(atPath: folder.path)
    while let p = e?.nextObject() as? String {
      files[p] = FileManager.default.contents(atPath: folder.appendingPathComponent(p).path) ?? Data()
    }
    return files
  }

  private func assertRefused(_ expected: InitError, hosts: [String] = ["example.com"], file: StaticString = #filePath, line: UInt = #line)
    throws
  {
    let before = try snapshot()
    var options = Initializer.Options()
    options.hosts = hosts
    XCTAssertThrowsError(try initializer.plan(root: folder, options: options), file: file, line: line) {
      XCTAssertEqual($0 as? InitError, expected, file: file, line: line)
    }
    XCTAssertEqual(try snapshot(), before, "a refused init changed files", file: file, line: line)
  }

  func testNotADjangoProject() throws {
    try assertRefused(.project(.notDjangoProject(path: folder.standardizedFileURL.path)))
  }

  func testSettingsModuleNotFound() throws {
    try makeProject(module: "elsewhere.settings")
    try assertRefused(
      .project(.settingsNotFound(module: "elsewhere.settings", path: folder.standardizedFileURL.path + "/elsewhere/settings.py")))
  }

  func testInvalidHost() throws {
    try makeProject()
    try assertRefused(.invalidHost("bad host!"), hosts: ["example.com", "bad host!"])
  }

  func testWildcardHostOnlyOutsideDeploy() throws {
    try makeProject()
    try assertRefused(.wildcardHost, hosts: ["example.com", "*"])
  }

  func testDeployNeedsHosts() throws {
    try makeProject()
    try assertRefused(.hostsRequired, hosts: [])
  }

  func testFolderNotWritable() throws {
    try makeProject()
    let site = folder.appendingPathComponent("site")
    if getuid() == 0 {
      // root ignores permission bits; the immutable attribute stops even root.
      guard Subprocess.run("chattr", ["+i", site.path])?.status == 0 else {
        throw XCTSkip("chattr +i is not supported here, and root ignores mode bits")
      }
    } else {
      chmod(site.path, 0o555)
    }
    defer {
      _ = Subprocess.run("chattr", ["-i", site.path])
      chmod(site.path, 0o755)
    }
    try assertRefused(.notWritable(path: site.standardizedFileURL.path))
  }

  func testRefusesToOverwriteAFileItDidNotWrite() throws {
    try makeProject()
    try "SECRET_KEY = os.environ['X']\n".write(
      to: folder.appendingPathComponent("site/local_settings.py"), atomically: true, encoding: .utf8)
    try assertRefused(.wouldOverwrite(path: "site/local_settings.py"))
  }

  func testPlanThenApplyWritesPrivateFile() throws {
    try makeProject()
    var options = Initializer.Options()
    options.hosts = ["example.com"]
    let plan = try initializer.plan(root: folder, options: options)
    try initializer.apply(plan)
    let local = folder.appendingPathComponent("site/local_settings.py")
    XCTAssertEqual(AtomicFile.mode(of: local), 0o600)
    let key = try XCTUnwrap(PythonLiteral.assignedString(named: "SECRET_KEY", in: String(contentsOf: local, encoding: .utf8)))
    XCTAssertEqual(KeyPolicy.weaknesses(of: key), [])
    // Nothing left behind by the atomic writes.
    XCTAssertFalse(try snapshot().keys.contains { $0.contains(".djsec-") })
  }
}
