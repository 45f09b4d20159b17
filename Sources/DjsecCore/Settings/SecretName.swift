/// What may name a secret: the one check behind `secret set`, `secret edit`
/// and `render`. `render` writes each secret as `NAME = "value"` at the end of
/// local_settings.py, so a name is safe only if that line is valid Python that
/// changes nothing the template decided:
///
/// - an upper-case Python identifier, `[A-Z_][A-Z0-9_]*` with at least one
///   letter, at most 128 bytes: the settings.py hook copies only the names for
///   which Python's `str.isupper()` holds, so `db_password` or `_1` would be
///   written and then silently never reach Django;
/// - not a Python keyword, soft keyword or constant (`class = "x"` makes the
///   file a SyntaxError). Every keyword is lower case or capitalised, so the
///   first rule already excludes them; the list stays so the message says why;
/// - not a setting the template writes itself: after the template's
///   `DEBUG = False`, a secret `DEBUG = "False"` is a true string and DEBUG is
///   on. The list is read from the template in use, never kept by hand.
///   SECRET_KEY and SECRET_KEY_FALLBACKS are the store's own entries, which
///   the template fills, so they stay allowed.
///
/// The store's format still reads the wider names older versions accepted
/// (StoreFile.isValidName), so an old store opens; `render` refuses them with
/// a hint to rename.
public enum SecretName {
  public static let maxBytes = 128

  /// Python's `keyword.kwlist` and `keyword.softkwlist` (3.12: `type`), and
  /// `__debug__`, which no assignment may name either.
  public static let pythonKeywords: Set<String> = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
    "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
    "return", "try", "while", "with", "yield", "_", "case", "match", "type", "__debug__",
  ]

  /// Checks `name` against the settings `template` writes; without a template
  /// (none could be found), only against Python's rules: `render` checks again
  /// against the template it actually uses.
  public static func check(_ name: String, notWrittenBy template: SettingsTemplate?) throws(SecretNameError) {
    try check(name, reserved: template.map(reserved(by:)) ?? [], template: template?.name ?? "")
  }

  /// The names a secret may not have under `template`: the settings it
  /// writes, less the secrets it places itself with `{{secret:NAME}}` (never
  /// written again at the end, so `EMAIL_HOST_PASSWORD = {{secret:EMAIL_HOST_PASSWORD}}` is fine).
  public static func reserved(by template: SettingsTemplate) -> Set<String> {
    settingsWritten(by: template).subtracting(template.secretsUsed)
  }

  /// As `check(_:notWrittenBy:)`, with the template's names already read
  /// (`render` checks every secret against one template).
  public static func check(_ name: String, reserved: Set<String>, template: String) throws(SecretNameError) {
    guard !name.isEmpty else { throw .empty }
    if pythonKeywords.contains(name) { throw .pythonKeyword(name) }
    guard name.utf8.count <= maxBytes else { throw .tooLong(name) }
    guard isUpperCaseIdentifier(name) else { throw .notUpperCase(name) }
    if reserved.contains(name) { throw .writtenByTemplate(name, template: template) }
  }

  static func isUpperCaseIdentifier(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    func upper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
    func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    guard let first = bytes.first, upper(first) || first == 95 else { return false }
    return bytes.allSatisfy { upper($0) || digit($0) || $0 == 95 } && bytes.contains(where: upper)
  }

  /// The names `template` assigns at the start of a line (`NAME = …`,
  /// `A = B = …`, `A, B = …`, `NAME: T = …`) or changes there through a
  /// subscript or attribute (`DATABASES["default"]["PASSWORD"] = …`,
  /// `CACHES.update(…)`: a recipe updating what settings.py defined), in any
  /// section, less the store's own key entries. A commented-out or indented
  /// assignment is not one the template makes.
  public static func settingsWritten(by template: SettingsTemplate) -> Set<String> {
    var names: Set<String> = []
    for line in template.text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
      var rest = line[...]
      // A section tag may open the line: `{{#deploy}}DEBUG = False`.
      while rest.hasPrefix("{{"), let close = rest.range(of: "}}") { rest = rest[close.upperBound...] }
      if let changed = changedInPlace(rest) {
        names.insert(changed)
        continue
      }
      while let (targets, after) = assignmentTargets(rest) {
        names.formUnion(targets)
        rest = after
      }
    }
    return names.subtracting(SecretKeyEntries.names)
  }

  /// NAME in `NAME[…] = …`, `NAME.attr = …`, `NAME.update(…)` or `NAME += …`
  /// at the start of `text`: a setting changed rather than assigned.
  private static func changedInPlace(_ text: Substring) -> String? {
    let name = text.prefix(while: { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
    guard let first = name.first, !first.isNumber else { return nil }
    let rest = text.dropFirst(name.count)
    if rest.first == "[" || rest.first == "." { return String(name) }
    let operators = ["+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "&=", "|=", "^=", "<<=", ">>="]
    let op = rest.drop(while: { $0 == " " || $0 == "\t" })
    return operators.contains(where: { op.hasPrefix($0) }) ? String(name) : nil
  }

  /// `A, B =` or `A: T =` at the start of `text`: the names, and what follows the `=`.
  private static func assignmentTargets(_ text: Substring) -> ([String], Substring)? {
    func blank(_ c: Character) -> Bool { c == " " || c == "\t" }
    var targets: [String] = []
    var rest = text
    while true {
      let name = rest.prefix(while: { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
      guard let first = name.first, !first.isNumber else { return nil }
      targets.append(String(name))
      rest = rest.dropFirst(name.count).drop(while: blank)
      guard rest.first == "," else { break }
      rest = rest.dropFirst().drop(while: blank)
    }
    if rest.first == ":", targets.count == 1, let equals = rest.firstIndex(of: "=") { rest = rest[equals...] }
    guard rest.first == "=", rest.dropFirst().first != "=" else { return nil }
    return (targets, rest.dropFirst().drop(while: blank))
  }
}
