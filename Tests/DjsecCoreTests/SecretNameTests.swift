import Foundation
import Testing

@testable import DjsecCore

/// Secret names: the names `render` can write, and every way a name must be
/// refused (each with the error it gets), beside the names that pass.
@Suite struct SecretNameTests {
  static let shipped = SettingsTemplate(
    name: "local_settings.py.tmpl",
    text: (try? String(contentsOf: packageRoot.appendingPathComponent("templates/local_settings.py.tmpl"), encoding: .utf8)) ?? "")
  static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  @Test(arguments: [
    "DB_PASSWORD", "X", "_X", "__A__", "A1", "API_TOKEN_2", "CLASS", "NONE", "TRUE", "LAMBDA", "MATCH", "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "SECURE_REDIRECT_EXEMPT",  // named in no template line
    "DATABASES",  // only in a commented-out recipe: the template does not change it
    String(repeating: "A", count: 128),
  ])
  func accepts(_ name: String) throws {
    try SecretName.check(name, notWrittenBy: Self.shipped)
  }

  static let refused: [(String, SecretNameError)] = [
    ("", .empty),
    ("class", .pythonKeyword("class")), ("None", .pythonKeyword("None")), ("True", .pythonKeyword("True")),
    ("False", .pythonKeyword("False")), ("def", .pythonKeyword("def")), ("import", .pythonKeyword("import")),
    ("lambda", .pythonKeyword("lambda")), ("match", .pythonKeyword("match")), ("type", .pythonKeyword("type")),
    ("_", .pythonKeyword("_")), ("__debug__", .pythonKeyword("__debug__")),
    (String(repeating: "A", count: 129), .tooLong(String(repeating: "A", count: 129))),
    ("db_password", .notUpperCase("db_password")), ("Db_Password", .notUpperCase("Db_Password")), ("1BAD", .notUpperCase("1BAD")),
    ("__", .notUpperCase("__")), ("_1", .notUpperCase("_1")), ("A-B", .notUpperCase("A-B")), ("A B", .notUpperCase("A B")),
    ("ÄB", .notUpperCase("ÄB")), ("A\nB", .notUpperCase("A\nB")), ("A\u{0}", .notUpperCase("A\u{0}")),
    ("DEBUG", .writtenByTemplate("DEBUG", template: "local_settings.py.tmpl")),
    ("ALLOWED_HOSTS", .writtenByTemplate("ALLOWED_HOSTS", template: "local_settings.py.tmpl")),
    ("X_FRAME_OPTIONS", .writtenByTemplate("X_FRAME_OPTIONS", template: "local_settings.py.tmpl")),
    // Set only behind a proxy, and still the template's in every section.
    ("SECURE_PROXY_SSL_HEADER", .writtenByTemplate("SECURE_PROXY_SSL_HEADER", template: "local_settings.py.tmpl")),
  ]

  @Test(arguments: refused)
  func refuses(_ name: String, _ expected: SecretNameError) {
    #expect(throws: expected) { try SecretName.check(name, notWrittenBy: Self.shipped) }
    // A message is one line, whatever the name held.
    #expect(!expected.message.contains("\n") && !(expected.hint ?? "").contains("\n"))
  }

  @Test func withoutATemplateOnlyPythonsRulesApply() throws {
    try SecretName.check("DEBUG", notWrittenBy: nil)
    #expect(throws: SecretNameError.pythonKeyword("class")) { try SecretName.check("class", notWrittenBy: nil) }
  }

  @Test func theShippedTemplatesSettingsAreReadFromItsText() {
    let names = SecretName.settingsWritten(by: Self.shipped)
    #expect(names.isSuperset(of: ["DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"]))
    #expect(names.isSuperset(of: ["SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_PRELOAD"]))
    #expect(
      names.isDisjoint(with: ["SECRET_KEY", "SECRET_KEY_FALLBACKS", "SECRETS", "deploy", "DATABASES", "CACHES", "EMAIL_HOST_PASSWORD"]))
  }

  @Test func assignmentsAreFoundOnlyAtTheStartOfALine() {
    let text = """
      A = 1
      B = C = "x"
      D, E = 1, 2
      F: int = 3
      {{#deploy}}G = True{{/deploy}}
      H == 1
      # I = 1
          J = 1
      if K:
          pass
      L.attr = 1
      M += 1
      N = O
      Q["k"] = 1
      R.update(x)
      S <= 1
      P=1\r
      lower = 1
      """
    #expect(
      SecretName.settingsWritten(by: SettingsTemplate(name: "t", text: text))
        == ["A", "B", "C", "D", "E", "F", "G", "L", "M", "N", "P", "Q", "R", "lower"])
  }

  @Test func pythonsKeywordsAreAllThere() {
    // keyword.kwlist and softkwlist of Python 3.12, as Python prints them.
    let kwlist = """
      False None True and as assert async await break class continue def del elif else except finally for from global if import \
      in is lambda nonlocal not or pass raise return try while with yield _ case match type
      """
    #expect(Set(kwlist.split(separator: " ").map(String.init)).isSubset(of: SecretName.pythonKeywords))
  }
}
