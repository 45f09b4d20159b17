/// systemd's `EnvironmentFile=` (systemd.exec(5)): `NAME="value"` lines.
/// In double quotes a backslash before `"`, `\`, `` ` `` or `$` stands for
/// that character and every other character, line breaks included, is
/// itself, so any text can be written. systemd expands nothing in these
/// files; escaping `$` and `` ` `` too keeps the file meaning the same to a
/// POSIX shell (`set -a; . FILE`), whose double quotes have the same four
/// escapes. The man page allows every Unicode scalar value but NUL, the
/// noncharacters and U+FEFF (the byte order mark): those are refused.
enum SystemdExport {
  static func check(_ name: String, _ value: String) throws(ExportError) {
    if value.unicodeScalars.contains(where: isForbidden) { throw .notAllowedCharacter(name: name, format: "systemd") }
  }

  static func quote(_ value: String) -> String {
    "\"" + ScalarEscape.escape(value) { "\"\\`$".unicodeScalars.contains($0) ? "\\\($0)" : nil } + "\""
  }

  /// The characters systemd.exec(5) excludes from an environment file
  /// (NUL is refused for every format before this).
  static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    return v == 0xFEFF || (0xFDD0...0xFDEF).contains(v) || v & 0xFFFE == 0xFFFE
  }
}
