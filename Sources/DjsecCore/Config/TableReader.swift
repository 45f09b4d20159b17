/// Reads one TOML table's settings with their types checked, and names the
/// line of anything it does not know: a misspelt setting that silently did
/// nothing would be worse than an error. Key lookup may ignore case, as
/// gitleaks (through viper) does.
struct TableReader {
  let table: TOMLTable
  let path: String
  /// How the table is named in errors: `[allow]`, `rule acme-key`.
  let name: String
  var ignoringCase = false
  private(set) var used: Set<String> = []

  init(_ table: TOMLTable, path: String, name: String, ignoringCase: Bool = false) {
    self.table = table
    self.path = path
    self.name = name
    self.ignoringCase = ignoringCase
  }

  private func key(_ wanted: String) -> String? {
    if table.values[wanted] != nil { return wanted }
    guard ignoringCase else { return nil }
    return table.keys.first { $0.lowercased() == wanted.lowercased() }
  }

  func line(_ wanted: String) -> Int { key(wanted).flatMap { table.lines[$0] } ?? table.line }

  func fail(_ wanted: String, _ reason: String) -> ConfigError {
    .invalid(path: path, line: line(wanted), reason: reason)
  }

  mutating func value(_ wanted: String) -> TOMLValue? {
    guard let k = key(wanted) else { return nil }
    used.insert(k)
    return table.values[k]
  }

  private func typeError(_ wanted: String, _ expected: String, _ found: TOMLValue) -> ConfigError {
    fail(wanted, "\(wanted) in \(name) must be \(expected), not \(found.kind)")
  }

  mutating func string(_ wanted: String) throws(ConfigError) -> String? {
    guard let v = value(wanted) else { return nil }
    guard case .string(let s) = v else { throw typeError(wanted, "a string", v) }
    return s
  }

  mutating func strings(_ wanted: String) throws(ConfigError) -> [String] {
    guard let v = value(wanted) else { return [] }
    guard case .array(let items) = v else { throw typeError(wanted, "an array of strings", v) }
    var out: [String] = []
    for item in items {
      guard case .string(let s) = item else { throw typeError(wanted, "an array of strings", item) }
      out.append(s)
    }
    return out
  }

  mutating func integer(_ wanted: String) throws(ConfigError) -> Int? {
    guard let v = value(wanted) else { return nil }
    guard case .integer(let n) = v else { throw typeError(wanted, "an integer", v) }
    return n
  }

  mutating func number(_ wanted: String) throws(ConfigError) -> Double? {
    guard let v = value(wanted) else { return nil }
    switch v {
    case .integer(let n): return Double(n)
    case .float(let d) where d.isFinite: return d
    default: throw typeError(wanted, "a number", v)
    }
  }

  mutating func bool(_ wanted: String) throws(ConfigError) -> Bool? {
    guard let v = value(wanted) else { return nil }
    guard case .bool(let b) = v else { throw typeError(wanted, "true or false", v) }
    return b
  }

  mutating func table(_ wanted: String) throws(ConfigError) -> TOMLTable? {
    guard let v = value(wanted) else { return nil }
    guard case .table(let t) = v else { throw typeError(wanted, "a table", v) }
    return t
  }

  /// `[[name]]`, or one `[name]` table read as a list of one.
  mutating func tables(_ wanted: String) throws(ConfigError) -> [TOMLTable] {
    guard let v = value(wanted) else { return [] }
    switch v {
    case .table(let t): return [t]
    case .array(let items):
      var out: [TOMLTable] = []
      for item in items {
        guard case .table(let t) = item else { throw typeError(wanted, "a list of tables ([[\(wanted)]])", item) }
        out.append(t)
      }
      return out
    default: throw typeError(wanted, "a table", v)
    }
  }

  mutating func severity(_ wanted: String) throws(ConfigError) -> Rule.Severity? {
    guard let s = try string(wanted) else { return nil }
    guard let severity = Rule.Severity(rawValue: s.lowercased()) else {
      throw fail(wanted, "\(wanted) = \"\(s)\" is not a severity: use low, medium, high or critical")
    }
    return severity
  }

  /// The keys nobody asked for.
  var unknown: [String] { table.keys.filter { !used.contains($0) } }

  /// An error naming the first key nobody asked for.
  func finish() throws(ConfigError) {
    if let k = unknown.first { throw fail(k, "\(name) has no setting \(k)") }
  }
}
