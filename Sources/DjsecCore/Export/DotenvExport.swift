/// `.env` values for python-dotenv (and django-environ, docker compose):
/// single-quoted, where only `\\` and `\'` are escapes and a value may span
/// lines. python-dotenv expands `${NAME}` even inside quotes and has no
/// escape for it, so a value holding `${` is refused rather than changed.
enum DotenvExport {
  static func check(_ name: String, _ value: String) throws(ExportError) {
    if ScalarEscape.contains(value, "${") { throw .interpolation(name: name, format: "dotenv") }
  }

  static func quote(_ value: String) -> String {
    "'" + ScalarEscape.escape(value) { $0 == "\\" ? "\\\\" : $0 == "'" ? "\\'" : nil } + "'"
  }
}
