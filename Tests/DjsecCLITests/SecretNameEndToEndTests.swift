import DjsecCore
import DjsecTestSupport
import Foundation
import XCTest

/// What a secret's name and the store's config lines may do to local_settings.py:
/// never override a setting the template writes, never make the file a
/// SyntaxError, never widen ALLOWED_HOSTS past what `init` accepts. Each bad
/// name is refused at `secret set` (exit 2, nothing written) and, when an old or
/// hand-made store holds one anyway, at `render`, with Django judging the result.
final class SecretNameEndToEndTests: XCTestCase {
  private var work: URL!
  private var python: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var store: URL { project.appendingPathComponent("secrets.djsec") }
  private var keys: URL { project.appendingPathComponent("keys") }
  private var local: URL { project.appendingPathComponent("demo/local_settings.py") }

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("names", python: python)
    try djsec(["init", ".", "--host", "example.com", "--hsts", "full"])
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  @discardableResult
  private func djsec(
    _ args: [String], stdin: String? = nil, env: [String: String] = [:], status: Int32 = 0, file: StaticString = #filePath,
    line: UInt = #line
  ) throws -> Run {
    try CLI.expect(args, in: project, stdin: stdin, env: env, status: status, file: file, line: line)
  }

  private func setting(_ expression: String) throws -> String {
    let r = try CLI.run(
      python, ["manage.py", "shell", "-v", "0", "-c", "from django.conf import settings as s; print(\(expression))"], in: project)
    XCTAssertEqual(r.status, 0, r.stderr)
    return r.stdout.trimmingCharacters(in: .newlines)
  }

  private func deployCheck(file: StaticString = #filePath, line: UInt = #line) throws {
    let r = try CLI.run(python, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], in: project)
    XCTAssertEqual(r.status, 0, r.stdout + r.stderr, file: file, line: line)
  }

  /// One `djsec: error:` line and one `djsec: hint:` line, nothing on stdout.
  private func assertOneError(_ r: Run, mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
    let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    XCTAssertEqual(lines.count, 2, r.stderr, file: file, line: line)
    XCTAssertTrue(lines.first?.hasPrefix("djsec: error: ") == true, r.stderr, file: file, line: line)
    XCTAssertTrue(lines.last?.hasPrefix("djsec: hint: ") == true, r.stderr, file: file, line: line)
    for word in mentions { XCTAssertTrue(lines.first?.contains(word) == true, "\(word) not in: \(r.stderr)", file: file, line: line) }
    XCTAssertEqual(r.stdout, "", file: file, line: line)
  }

  /// `secret set NAME` fails with exit 2 and leaves every file of the project as it was.
  private func assertRefusedAtSet(_ name: String, value: String = "v", file: StaticString = #filePath, line: UInt = #line) throws {
    let before = CLI.snapshot(project)
    let r = try CLI.run(CLI.binary, ["secret", "set", name, "--stdin"], in: project, stdin: value)
    XCTAssertEqual(r.status, 2, "secret set \(name.debugDescription) was accepted", file: file, line: line)
    assertOneError(r, mentions: [], file: file, line: line)
    XCTAssertEqual(CLI.snapshot(project), before, "secret set \(name.debugDescription) changed files", file: file, line: line)
  }

  /// `render` refuses with one line naming the secret and the template, and
  /// leaves local_settings.py as it was.
  private func assertRenderRefuses(secret name: String, template: String = "local_settings.py.tmpl", extra: [String] = []) throws {
    let before = try Data(contentsOf: local)
    let r = try djsec(["render"] + extra, status: 2)
    assertOneError(r, mentions: [name, template])
    XCTAssertTrue(r.stderr.contains("djsec secret set") && r.stderr.contains("djsec secret rm \(name)"), r.stderr)
    XCTAssertEqual(try Data(contentsOf: local), before, "a refused render changed local_settings.py")
  }

  /// The names the shipped template assigns at the start of a line, read from the template itself.
  private var templateNames: [String] {
    get throws {
      let text = try String(contentsOf: CLI.packageRoot.appendingPathComponent("templates/local_settings.py.tmpl"), encoding: .utf8)
      return text.split(separator: "\n").compactMap { line in
        let name = line.prefix(while: { $0.isUppercase || $0.isNumber || $0 == "_" })
        return !name.isEmpty && line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") ? String(name) : nil
      }
    }
  }

  func testKeywordListCoversThisPython() throws {
    let r = try CLI.run(python, ["-c", "import keyword; print(' '.join(keyword.kwlist + keyword.softkwlist))"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let keywords = Set(r.stdout.split(whereSeparator: \.isWhitespace).map(String.init))
    XCTAssertTrue(keywords.contains("class"))
    XCTAssertEqual(keywords.subtracting(SecretName.pythonKeywords), [])
  }

  func testDebugAsASecretCannotTurnDebugOn() throws {
    try assertRefusedAtSet("DEBUG", value: "False")
    // A store that holds one anyway (an older djsec wrote it): render refuses.
    try StoreForgery.write(store: store, keys: keys, secrets: ["DEBUG": "False"])
    try assertRenderRefuses(secret: "DEBUG")
    XCTAssertEqual(try setting("s.DEBUG"), "False")
    try deployCheck()
  }

  func testAllowedHostsAsASecretCannotStopStartUp() throws {
    try assertRefusedAtSet("ALLOWED_HOSTS", value: "example.com")
    try StoreForgery.write(store: store, keys: keys, secrets: ["ALLOWED_HOSTS": "example.com"])
    try assertRenderRefuses(secret: "ALLOWED_HOSTS")
    XCTAssertEqual(try setting("s.ALLOWED_HOSTS"), "['example.com']")
    try deployCheck()
  }

  func testEverySettingTheTemplateWritesIsRefusedButTheKeyEntries() throws {
    let names = try templateNames
    XCTAssertTrue(names.contains("DEBUG") && names.contains("X_FRAME_OPTIONS") && names.count > 10, "\(names)")
    for name in names where name != "SECRET_KEY" && name != "SECRET_KEY_FALLBACKS" {
      try assertRefusedAtSet(name)
    }
    // The store's own entries, which the template fills: still allowed.
    let old = try setting("s.SECRET_KEY")
    let fallback = SecretGenerator.make("django_key")!
    try djsec(["secret", "set", "SECRET_KEY_FALLBACKS", "--stdin"], stdin: fallback)
    try djsec(["render"])
    XCTAssertEqual(try setting("s.SECRET_KEY == \(old.debugDescription) and len(s.SECRET_KEY_FALLBACKS) == 1"), "True")
    try deployCheck()
  }

  func testPythonKeywordsAreRefusedAtSetAndAtRender() throws {
    for name in ["class", "None", "True", "False", "def", "import", "lambda", "match", "case", "type", "_"] {
      try assertRefusedAtSet(name)
    }
    try StoreForgery.write(store: store, keys: keys, secrets: ["class": "x"])
    try assertRenderRefuses(secret: "class")
    try StoreForgery.write(store: store, keys: keys, secrets: ["lambda": "x"])
    try djsec(["secret", "rm", "class"])
    try assertRenderRefuses(secret: "lambda")
    // The way out the hint names: set it under a new name, remove the old one.
    try djsec(["secret", "set", "LAMBDA_TOKEN", "--stdin"], stdin: "x")
    try djsec(["secret", "rm", "lambda"])
    try djsec(["render"])
    XCTAssertEqual(try setting("s.LAMBDA_TOKEN"), "x")
  }

  func testNamesThatAreNotUpperCasePythonNamesAreRefused() throws {
    let bad = [
      "db_password", "Db_Password", "1BAD", "", "A-B", "A B", "ÄB", "A.B", "__", "_1", "A\nB", "A=B", String(repeating: "A", count: 129),
    ]
    for name in bad { try assertRefusedAtSet(name) }
    for name in [String(repeating: "A", count: 128), "_X", "X", "CLASS", "NONE", "__A__", "A1"] {
      try djsec(["secret", "set", name, "--stdin"], stdin: "ok")
    }
    try djsec(["render"])
    XCTAssertEqual(try setting("s.CLASS + s.NONE + s.__A__"), "okokok")
  }

  func testARefusedNameCreatesNoStore() throws {
    try FileManager.default.removeItem(at: store)
    try assertRefusedAtSet("DEBUG")
    try assertRefusedAtSet("class")
    XCTAssertFalse(FileManager.default.fileExists(atPath: store.path))
  }

  func testEditRefusesWhatSetRefuses() throws {
    try djsec(["secret", "set", "TOKEN", "--stdin"], stdin: "t")
    let editor = work.appendingPathComponent("editor.sh")
    // The error names the line, never its text (a value may be pasted where a name goes).
    for (line, why) in [("DEBUG=False", "the template writes"), ("class=x", "Python keyword"), ("db_password=x", "upper-case")] {
      try "#!/bin/sh\necho '\(line)' >> \"$1\"\n".write(to: editor, atomically: true, encoding: .utf8)
      chmod(editor.path, 0o755)
      let before = CLI.snapshot(project)
      let r = try djsec(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": work.path], status: 2)
      assertOneError(r, mentions: ["the edited copy, line", why])
      XCTAssertFalse(r.stderr.contains(line), r.stderr)
      XCTAssertEqual(CLI.snapshot(project), before, "a refused edit changed files")
      XCTAssertFalse(
        try FileManager.default.contentsOfDirectory(atPath: work.path).contains { $0.hasPrefix("djsec-edit") }, "plaintext copy left")
    }
  }

  func testRenderChecksTheTemplateActuallyUsed() throws {
    try djsec(["secret", "set", "API_TOKEN", "--stdin"], stdin: "t")
    try djsec(["render"])
    let shipped = try String(contentsOf: CLI.packageRoot.appendingPathComponent("templates/local_settings.py.tmpl"), encoding: .utf8)
    let custom = work.appendingPathComponent("custom.tmpl")
    try (shipped + "\nAPI_TOKEN = None\n").write(to: custom, atomically: true, encoding: .utf8)
    try assertRenderRefuses(secret: "API_TOKEN", template: "custom.tmpl", extra: ["--template", custom.path])
    XCTAssertEqual(try setting("s.API_TOKEN"), "t")
  }

  func testForgedConfigIsRefusedAtRenderAsInitRefusesItsFlags() throws {
    let before = try Data(contentsOf: local)
    for (key, value) in [("hosts", "*"), ("hosts", "example.com *"), ("hosts", "exa\"mple.com"), ("hosts", ""), ("profile", "prod")] {
      var config = ["hosts": "example.com", "profile": "deploy"]
      config[key] = value
      try StoreForgery.write(store: store, keys: keys, config: config)
      let r = try djsec(["render"], status: 2)
      assertOneError(r, mentions: ["secrets.djsec", "config \(key)"])
      XCTAssertEqual(try Data(contentsOf: local), before, "render wrote local_settings.py from a bad config \(key)")
    }
    XCTAssertEqual(try setting("s.ALLOWED_HOSTS"), "['example.com']")
    // init judges its flags the same way, and repairs the store.
    assertOneError(try djsec(["init", ".", "--host", "*"], status: 2), mentions: ["*"])
    try djsec(["init", ".", "--host", "example.com", "--hsts", "full"])
    try djsec(["render"])
    try deployCheck()
  }
}
