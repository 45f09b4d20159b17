import DjsecTestSupport
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
      "PROXY_HEADER": "X-Forwarded-Proto", "SECURE_PROXY_SSL_HEADER": "(\"HTTP_X_FORWARDED_PROTO\", \"https\")",
      "SECURE_HSTS_SECONDS": "31536000", "PUBLIC_ROOT": "/srv/demo/public", "STATIC_ROOT": "\"/srv/demo/public/static\"",
      "MEDIA_ROOT": "\"/srv/demo/public/media\"",
    ]
    let deploy = try t.render(
      values: values, flags: ["deploy": true, "secrets": false, "proxy": false, "hsts_full": true, "web_root": false])
    XCTAssertTrue(deploy.contains("DEBUG = False"))
    XCTAssertTrue(deploy.contains("SECURE_HSTS_SECONDS = 31536000"))
    XCTAssertFalse(deploy.contains("STATIC_ROOT ="), "no --web-root: settings.py's STATIC_ROOT stays")
    // Django 6.1's MAILERS replaces the EMAIL_* settings: the template sets none, it only shows a recipe.
    XCTAssertFalse(deploy.split(separator: "\n").contains { $0.hasPrefix("EMAIL_") })
    XCTAssertTrue(deploy.contains("# EMAIL_HOST_PASSWORD = {{secret:EMAIL_HOST_PASSWORD}}\n"))
    let dev = try t.render(values: values, flags: ["deploy": false, "secrets": true, "proxy": false, "hsts_full": false, "web_root": true])
    XCTAssertTrue(dev.contains("STATIC_ROOT = \"/srv/demo/public/static\"\nMEDIA_ROOT = \"/srv/demo/public/media\"\n"))
    XCTAssertTrue(dev.contains("DEBUG = True"))
    XCTAssertFalse(dev.contains("SECURE_SSL_REDIRECT = True"))
    XCTAssertFalse(dev.contains("SECURE_HSTS"))
    XCTAssertTrue(dev.contains("DB = \"x\"\n"))
    XCTAssertFalse(deploy.contains("DB = "))
    // No blank line runs longer than one, whatever the sections.
    for flags in [[true, true, true], [true, false, false], [false, true, true], [false, false, false]] {
      let text = try t.render(
        values: values, flags: ["deploy": true, "secrets": true, "proxy": flags[0], "hsts_full": flags[1], "web_root": flags[2]])
      XCTAssertFalse(text.contains("\n\n\n"), "\(flags)")
    }
  }
}

final class SecretPlaceholderTests: XCTestCase {
  func testASecretIsRenderedAsAPythonStringWhereTheTemplateNamesIt() throws {
    let t = SettingsTemplate(name: "t", text: "A = {{secret:DB_PASSWORD}}\nB = {{ secret:DB_PASSWORD }}\n")
    XCTAssertEqual(try t.render(values: [:], flags: [:], secrets: ["DB_PASSWORD": "p\"w\n"]), "A = \"p\\\"w\\n\"\nB = \"p\\\"w\\n\"\n")
    XCTAssertEqual(t.secretsUsed, ["DB_PASSWORD"])
  }

  func testAMissingSecretFailsOnlyWhereItIsRendered() throws {
    let t = SettingsTemplate(name: "t", text: "{{#on}}\nA = {{secret:DB_PASSWORD}}\n{{/on}}\nB = 1\n")
    XCTAssertEqual(try t.render(values: [:], flags: ["on": false]), "B = 1\n")
    XCTAssertThrowsError(try t.render(values: [:], flags: ["on": true])) {
      XCTAssertEqual($0 as? TemplateError, .missingSecret(template: "t", name: "DB_PASSWORD"))
    }
    let error = TemplateError.missingSecret(template: "t", name: "DB_PASSWORD")
    XCTAssertTrue(error.hint?.contains("djsec secret set DB_PASSWORD") ?? false)
  }

  func testOnACommentLineThePlaceholderStaysAsWritten() throws {
    let t = SettingsTemplate(name: "t", text: "# A = {{secret:DB_PASSWORD}}\n    #B = {{secret:API}}\nC = 1  # {{secret:X}}\n")
    XCTAssertThrowsError(try t.render(values: [:], flags: [:])) {
      XCTAssertEqual($0 as? TemplateError, .missingSecret(template: "t", name: "X"), "a trailing comment is still code's line")
    }
    let u = SettingsTemplate(name: "t", text: "# A = {{secret:DB_PASSWORD}}\n    #B = {{secret:API}}\n")
    XCTAssertEqual(try u.render(values: [:], flags: [:], secrets: ["DB_PASSWORD": "v"]), u.text)
    XCTAssertEqual(u.secretsUsed, [])
  }

  func testAPlaceholderNamesASecretNameOnly() {
    for bad in ["{{secret:db_password}}", "{{secret:}}", "{{secret:A-B}}"] {
      XCTAssertThrowsError(try SettingsTemplate(name: "t", text: bad).render(values: [:], flags: [:])) {
        guard case .malformed = $0 as? TemplateError else { return XCTFail("\($0)") }
      }
    }
  }

  /// A recipe updating what settings.py defined writes that setting: a secret of that name would undo it.
  func testSubscriptAndAttributeChangesCountAsWrites() {
    let t = SettingsTemplate(
      name: "t",
      text: "DATABASES[\"default\"][\"PASSWORD\"] = {{secret:DB_PASSWORD}}\nCACHES.update({})\n  INDENTED[0] = 1\n# COMMENTED[0] = 1\n")
    XCTAssertEqual(SecretName.settingsWritten(by: t), ["DATABASES", "CACHES"])
  }

  /// `secret set` and `render` agree: a secret the template places may share the name of the setting it fills.
  func testAPlacedSecretMayShareItsSettingsName() throws {
    let t = SettingsTemplate(name: "t", text: "EMAIL_HOST_PASSWORD = {{secret:EMAIL_HOST_PASSWORD}}\nDEBUG = False\n")
    XCTAssertEqual(SecretName.reserved(by: t), ["DEBUG"])
    try SecretName.check("EMAIL_HOST_PASSWORD", notWrittenBy: t)
    XCTAssertThrowsError(try SecretName.check("DEBUG", notWrittenBy: t))
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

  /// The block djsec 0.1.0 wrote (warned and ran on the defaults) is replaced where it stands.
  func testUpgradesTheBlockAnOlderDjsecWrote() throws {
    let settings = "DEBUG = True\n\n\n" + OldSettingsHook.v1 + "\nX = 1\n"
    let upgraded = try XCTUnwrap(SettingsHook.install(into: settings))
    XCTAssertEqual(upgraded, "DEBUG = True\n\n\n" + SettingsHook.block() + "\nX = 1\n")
    XCTAssertNil(SettingsHook.install(into: upgraded))
  }

  /// One block per settings module, whichever variant or module it loads: switching replaces it.
  func testSwitchingVariantOrModuleReplacesTheBlock() throws {
    let failing = try XCTUnwrap(SettingsHook.install(into: "A = 1\n"))
    let lenient = try XCTUnwrap(SettingsHook.install(into: failing, onMissing: .useDefaults))
    XCTAssertEqual(lenient, "A = 1\n\n\n" + SettingsHook.block(onMissing: .useDefaults))
    let production = try XCTUnwrap(SettingsHook.install(into: lenient, localModule: "local_settings_production"))
    XCTAssertEqual(production, "A = 1\n\n\n" + SettingsHook.block(localModule: "local_settings_production"))
    XCTAssertTrue(production.contains(#"+ "local_settings_production""#))
    XCTAssertTrue(production.contains(#""local_settings_production.py")"#))
    XCTAssertFalse(production.contains("\"local_settings\""))
  }

  func testTheVariantsDifferInWhatAMissingFileDoes() {
    let fail = SettingsHook.block(onMissing: .fail)
    let defaults = SettingsHook.block(onMissing: .useDefaults)
    XCTAssertTrue(fail.contains("raise ImproperlyConfigured("))
    XCTAssertFalse(fail.contains("sys.stderr.write"))
    XCTAssertTrue(defaults.contains("djsec: warning: %s is missing"))
    XCTAssertFalse(defaults.contains("ImproperlyConfigured"))
    for block in [fail, defaults] {
      XCTAssertTrue(block.contains("'djsec render'"))
      XCTAssertTrue(block.hasSuffix(SettingsHook.endMarker + "\n"))
    }
  }

  func testModuleNamesAreIdentifiers() {
    for good in ["local_settings", "local_settings_production", "_x", "L2"] { XCTAssertTrue(SettingsHook.isValidModuleName(good), good) }
    for bad in ["", "2x", "local-settings", "local.settings", "x\"", "class", "ü", String(repeating: "a", count: 101)] {
      XCTAssertFalse(SettingsHook.isValidModuleName(bad), bad)
    }
  }

  func testGitIgnoreUpdateIsIdempotent() throws {
    let patterns = GitIgnoreGuard.patterns(localSettings: "demo/local_settings.py")
    let first = try XCTUnwrap(GitIgnoreGuard.update("*.pyc", adding: patterns))
    XCTAssertTrue(first.hasPrefix("*.pyc\n"))
    XCTAssertTrue(first.contains("/demo/local_settings.py\n"))
    XCTAssertNil(GitIgnoreGuard.update(first, adding: patterns))
  }
}
