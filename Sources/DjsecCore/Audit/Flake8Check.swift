import Foundation

/// flake8 over the project's code, with the project's own configuration:
/// the count of each code, its first place, and how bad it is. Style
/// (pycodestyle's E and W) is low; pyflakes' F (undefined names, unused
/// imports), complexity (C90) and code that does not parse (E9) are medium:
/// they are where bugs hide.
struct Flake8Check: Check {
  let id = "code.flake8"
  let title = "flake8 finds nothing in the project's code (PEP 8, pyflakes)"
  let reference = "ASVS 10.1.1 (a code analysis tool is in use); OWASP A04:2021 Insecure Design"

  /// Not the project's code: virtualenvs and JavaScript packages, beside
  /// flake8's own default exclusions (.git, __pycache__, .tox…).
  static let excluded = [".venv", "venv", "env", "node_modules"]

  func run(_ c: AuditContext) -> CheckOutcome {
    guard let flake8 = c.options.flake8 else {
      return .notApplicable("flake8 not found (--flake8 PATH, a virtualenv beside manage.py, or flake8 on PATH)")
    }
    let exclude = Self.configured("extend-exclude", in: c.root) + Self.excluded + Self.virtualenvs(in: c.root)
    let arguments = [
      "--format=%(code)s\t%(row)d\t%(path)s\t%(text)s", "--exit-zero", "--extend-exclude=" + exclude.joined(separator: ","), ".",
    ]
    guard let output = ProjectTool.run(flake8, arguments, in: c.root) else { return .notApplicable("\(flake8.path) does not run") }
    guard output.status == 0 else {
      let last = output.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(output.status)"
      return .failed([
        AuditFinding(
          check: id, severity: .medium, message: "flake8 did not run: \(last)",
          fix: "run '\(flake8.path) .' in \(c.root.path) and fix its configuration")
      ])
    }
    let found = Self.summarize(output.stdout).map { code in
      AuditFinding(
        check: id, severity: Self.severity(code.code),
        message: "flake8 \(code.code), \(code.count) time\(code.count == 1 ? "" : "s"): \(code.text) (first at \(code.path):\(code.line))",
        fix: Self.fix(code.code), path: code.path, line: code.line)
    }
    return found.isEmpty ? .passed : .failed(found)
  }

  struct Code: Equatable {
    var code: String
    var count: Int
    /// The first place, in path then line order, and what flake8 said there.
    var path: String
    var line: Int
    var text: String
  }

  /// flake8's `code \t row \t path \t text` lines, one entry per code, by code.
  static func summarize(_ output: String) -> [Code] {
    var codes: [String: Code] = [:]
    for line in output.split(separator: "\n") {
      let fields = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 4, let row = Int(fields[1]) else { continue }
      let path = fields[2].hasPrefix("./") ? String(fields[2].dropFirst(2)) : fields[2]
      let here = Code(code: fields[0], count: 1, path: path, line: row, text: fields[3])
      guard var seen = codes[here.code] else {
        codes[here.code] = here
        continue
      }
      seen.count += 1
      if (path, row) < (seen.path, seen.line) { (seen.path, seen.line, seen.text) = (path, row, here.text) }
      codes[here.code] = seen
    }
    return codes.values.sorted { $0.code < $1.code }
  }

  static func severity(_ code: String) -> Rule.Severity {
    ["F", "C9", "E9"].contains(where: code.hasPrefix) ? .medium : .low
  }

  static func fix(_ code: String) -> String {
    let list = "'flake8 --select \(code) .' lists each"
    if code.hasPrefix("F") { return "\(list): remove what is unused, import or define what is undefined" }
    if code.hasPrefix("C9") { return "\(list): split the function into smaller ones" }
    return "\(list): fix them, or set the project's own limits in its flake8 configuration (max-line-length, per-file-ignores)"
  }

  /// The folders directly in `root` that are virtualenvs (they hold a pyvenv.cfg), whatever their name.
  static func virtualenvs(in root: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter {
      FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/pyvenv.cfg").path)
    }.sorted()
  }

  /// A value of the project's flake8 configuration, as a list: the
  /// `[flake8]` section of the first of setup.cfg, tox.ini and .flake8 that
  /// has one, as flake8 looks. `--extend-exclude` given on the command line
  /// replaces the configured one, so djsec passes the project's along with its own.
  static func configured(_ option: String, in root: URL) -> [String] {
    for name in ["setup.cfg", "tox.ini", ".flake8"] {
      guard let text = try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8) else { continue }
      var section: String?
      var hasSection = false
      var key: String?
      var values: [String: String] = [:]
      for line in text.split(separator: "\n") {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
        if trimmed.hasPrefix("[") {
          section = String(trimmed.dropFirst().prefix { $0 != "]" })
          hasSection = hasSection || section == "flake8"
        } else if section != "flake8" {
          continue
        } else if line.first == " " || line.first == "\t", let key {
          values[key, default: ""] += "," + trimmed
        } else if let sep = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) {
          key = trimmed[..<sep].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "-")
          values[key!] = trimmed[trimmed.index(after: sep)...].trimmingCharacters(in: .whitespaces)
        }
      }
      guard hasSection else { continue }
      return (values[option] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    return []
  }
}

extension ProjectPython {
  /// A tool installed beside the project's Python (its virtualenv's bin/),
  /// else the first on `searchPath` (PATH).
  public static func tool(_ name: String, beside python: URL?, searchPath: String?) -> URL? {
    if let sibling = python?.deletingLastPathComponent().appendingPathComponent(name),
      FileManager.default.isExecutableFile(atPath: sibling.path)
    {
      return sibling
    }
    return SearchPath.find(name, in: searchPath).map { URL(fileURLWithPath: $0) }
  }
}
