import XCTest

@testable import DjsecCore

final class PythonLiteralTests: XCTestCase {
  func testEscapesRoundTrip() {
    let values = ["plain", "quo\"te'", "back\\slash", "new\nline\r\t", "nul\u{0}byte", "ünïcødé ✓", "\u{2028}sep", "😀"]
    for value in values {
      let literal = PythonLiteral.string(value)
      XCTAssertFalse(literal.contains("\n"), "a literal spans lines: \(literal)")
      XCTAssertEqual(PythonLiteral.assignedString(named: "X", in: "Y = 1\nX = \(literal)\n"), value)
    }
  }

  func testListAndBool() {
    XCTAssertEqual(PythonLiteral.list(["a", "b\"c"]), #"["a", "b\"c"]"#)
    XCTAssertEqual(PythonLiteral.bool(false), "False")
  }

  func testAssignedStringRefusesWhatItDidNotWrite() {
    XCTAssertNil(PythonLiteral.assignedString(named: "SECRET_KEY", in: "SECRET_KEY = os.environ['K']"))
    XCTAssertNil(PythonLiteral.assignedString(named: "SECRET_KEY", in: "SECRET_KEY_FALLBACKS = []"))
  }
}

final class SettingsTemplateTests: XCTestCase {
  func testValuesAndSections() throws {
    let t = SettingsTemplate(name: "t", text: "A = {{A}}\n{{#on}}\nON = 1\n{{/on}}\n{{^on}}\nOFF = 1\n{{/on}}\nEND\n")
    XCTAssertEqual(try t.render(values: ["A": "\"x\""], flags: ["on": true]), "A = \"x\"\nON = 1\nEND\n")
    XCTAssertEqual(try t.render(values: ["A": "1"], flags: ["on": false]), "A = 1\nOFF = 1\nEND\n")
  }

  func testErrorsNameTheProblem() {
    let unknown = SettingsTemplate(name: "t", text: "{{NOPE}}")
    XCTAssertThrowsError(try unknown.render(values: [:], flags: [:])) {
      XCTAssertEqual($0 as? TemplateError, .unknownName(template: "t", name: "NOPE"))
    }
    let unclosed = SettingsTemplate(name: "t", text: "{{#on}}x")
    XCTAssertThrowsError(try unclosed.render(values: [:], flags: ["on": true]))
  }

  func testShippedTemplateRendersBothProfiles() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let t = try SettingsTemplate.load(root.appendingPathComponent("templates/local_settings.py.tmpl"))
    let values = [
      "SECRET_KEY": "\"k\"", "SECRET_KEY_FALLBACKS": "[]", "ALLOWED_HOSTS": "[]", "CSRF_TRUSTED_ORIGINS": "[]", "SECRETS": "DB = \"x\"\n",
    ]
    let deploy = try t.render(
      values: values, flags: ["deploy": true, "secrets": false])
    XCTAssertTrue(deploy.contains("DEBUG = False"))
    XCTAssertTrue(deploy.contains("SECURE_HSTS_SECONDS = 31536000"))
    // Django 6's project template defines MAILERS, and any EMAIL_* beside it stops start-up.
    XCTAssertFalse(deploy.contains("EMAIL_"))
    let dev = try t.render(values: values, flags: ["deploy": false, "secrets": true])
    XCTAssertTrue(dev.contains("DEBUG = True"))
    XCTAssertFalse(dev.contains("SECURE_SSL_REDIRECT = True"))
    XCTAssertTrue(dev.contains("DB = \"x\"\n"))
    XCTAssertFalse(deploy.contains("DB = "))
  }
}

final class SettingsHookTests: XCTestCase {
  func testInstallsOnceAndRepairsOldBlocks() throws {
    let original = "DEBUG = True\n"
    let once = try XCTUnwrap(SettingsHook.install(into: original))
    XCTAssertTrue(once.hasPrefix(original))
    XCTAssertNil(SettingsHook.install(into: once), "a second install must change nothing")
    let damaged = once.replacingOccurrences(of: "del _djsec_load_local_settings", with: "")
    let repaired = try XCTUnwrap(SettingsHook.install(into: damaged))
    XCTAssertEqual(repaired, once)
  }

  func testGitIgnoreUpdateIsIdempotent() throws {
    let patterns = GitIgnoreGuard.patterns(localSettings: "demo/local_settings.py")
    let first = try XCTUnwrap(GitIgnoreGuard.update("*.pyc", adding: patterns))
    XCTAssertTrue(first.hasPrefix("*.pyc\n"))
    XCTAssertTrue(first.contains("/demo/local_settings.py\n"))
    XCTAssertNil(GitIgnoreGuard.update(first, adding: patterns))
  }
}
