import DjsecTestSupport
import Foundation
import XCTest

/// An installed djsec (PREFIX/bin/djsec beside PREFIX/share/djsec/templates, the
/// layout `make install` makes) works from any folder, with or without the
/// templates beside it; installed ones override those compiled in.
final class InstallCLITests: XCTestCase {
  /// PREFIX/bin/djsec (a copy of the built binary) and an empty PREFIX/share/djsec.
  static func installed(_ name: String) throws -> (prefix: URL, bin: URL) {
    let prefix = try CLI.temporaryFolder(name)
    let fm = FileManager.default
    try fm.createDirectory(at: prefix.appendingPathComponent("bin"), withIntermediateDirectories: true)
    try fm.createDirectory(at: prefix.appendingPathComponent("share/djsec"), withIntermediateDirectories: true)
    let bin = prefix.appendingPathComponent("bin/djsec")
    try fm.copyItem(at: CLI.binary, to: bin)
    return (prefix, bin)
  }

  func testInstalledLayoutFindsItsTemplatesFromAnyFolder() throws {
    let (prefix, bin) = try Self.installed("prefix")
    defer { try? FileManager.default.removeItem(at: prefix) }
    let fm = FileManager.default
    let project = prefix.appendingPathComponent("project")
    try fm.createDirectory(at: project.appendingPathComponent("site"), withIntermediateDirectories: true)
    try "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
      .write(to: project.appendingPathComponent("manage.py"), atomically: true, encoding: .utf8)
    try "DEBUG = True\n".write(to: project.appendingPathComponent("site/settings.py"), atomically: true, encoding: .utf8)

    // Without share/djsec/templates the binary uses the templates compiled into it.
    let alone = try CLI.run(bin, ["init", project.path, "--host", "example.com", "--dry-run"], in: URL(fileURLWithPath: "/"))
    XCTAssertEqual(alone.status, 0, alone.stderr)

    // An installed template overrides the compiled-in one.
    let share = prefix.appendingPathComponent("share/djsec/templates")
    try fm.copyItem(at: CLI.packageRoot.appendingPathComponent("templates"), to: share)
    let tmpl = share.appendingPathComponent("local_settings.py.tmpl")
    try (try String(contentsOf: tmpl, encoding: .utf8) + "# installed template in use\n").write(to: tmpl, atomically: true, encoding: .utf8)
    let r = try CLI.run(bin, ["init", project.path, "--host", "example.com"], in: URL(fileURLWithPath: "/"))
    XCTAssertEqual(r.status, 0, r.stderr)
    let local = try String(contentsOf: project.appendingPathComponent("site/local_settings.py"), encoding: .utf8)
    XCTAssertTrue(local.contains("SECURE_HSTS_SECONDS"))
    XCTAssertTrue(local.contains("# installed template in use"), "PREFIX/share/djsec/templates overrides the compiled-in one")
  }

  /// PREFIX/share/djsec/rules replaces the compiled-in rules: here without
  /// the Django rules file, so a Django key goes unreported, and --rules
  /// still wins over both.
  func testInstalledRulesOverrideTheCompiledInOnes() throws {
    let (prefix, bin) = try Self.installed("prefix-rules")
    defer { try? FileManager.default.removeItem(at: prefix) }
    let fm = FileManager.default
    let project = prefix.appendingPathComponent("files")
    try fm.createDirectory(at: project, withIntermediateDirectories: true)
    try "SECRET_KEY = '\(SecretGenerator.make("django_key")!)'\n"
      .write(to: project.appendingPathComponent("settings.py"), atomically: true, encoding: .utf8)
    func rules(_ extra: [String] = []) throws -> [String] {
      let r = try CLI.run(bin, ["scan", "--no-git", project.path, "--format", "json"] + extra, in: URL(fileURLWithPath: "/"))
      let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
      return (doc?["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
    }
    XCTAssertEqual(try rules(), ["django-secret-key"], "the compiled-in rules")

    let shipped = CLI.packageRoot.appendingPathComponent("Sources/DjsecCore/Resources/rules")
    let installed = prefix.appendingPathComponent("share/djsec/rules")
    try fm.copyItem(at: shipped, to: installed)
    for name in try fm.contentsOfDirectory(atPath: installed.path) where name.contains("django") {
      try fm.removeItem(at: installed.appendingPathComponent(name))
    }
    XCTAssertFalse(try rules().contains("django-secret-key"), "share/djsec/rules has no Django rule")
    XCTAssertEqual(try rules(["--rules", shipped.path]), ["django-secret-key"], "--rules wins over share/djsec/rules")
  }
}
