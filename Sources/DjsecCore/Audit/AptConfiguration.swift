/// apt's configuration as apt reads it: /etc/apt/apt.conf.d/* in name order,
/// then /etc/apt/apt.conf, a later assignment replacing an earlier one. The
/// syntax is apt.conf(5)'s: `A::B::C "value";` or the nested `A { B { C "value"; }; };`,
/// comments `//`, `#` and `/* */`, `#clear A::B;`; names are case-insensitive.
struct AptConfiguration {
  struct Value: Equatable {
    var text: String
    /// The host file that set it last (/etc/apt/apt.conf.d/20auto-upgrades).
    var file: String
  }

  private var values: [String: Value] = [:]

  subscript(name: String) -> Value? { values[name.lowercased()] }

  static func read(_ host: DebianHost) -> AptConfiguration {
    var config = AptConfiguration()
    let parts = "/etc/apt/apt.conf.d"
    for name in host.names(in: parts) where readsPart(name) {
      if let text = host.text("\(parts)/\(name)") { config.parse(text, file: "\(parts)/\(name)") }
    }
    if let text = host.text("/etc/apt/apt.conf") { config.parse(text, file: "/etc/apt/apt.conf") }
    return config
  }

  /// apt reads a part only when its name is letters, digits, `_`, `-` and
  /// `.`, and silently skips backups and dpkg's leftovers (Dir::Ignore-Files-Silently).
  static func readsPart(_ name: String) -> Bool {
    let allowed = name.unicodeScalars.allSatisfy {
      $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0))
    }
    let ignored = ["~", ".disabled", ".bak", ".save", ".orig", ".distUpgrade"].contains { name.hasSuffix($0) }
    let leftover = name.range(of: #"\.(dpkg|ucf)-[a-z]+$"#, options: .regularExpression) != nil
    return allowed && !ignored && !leftover && !name.hasPrefix(".")
  }

  mutating func parse(_ text: String, file: String) {
    var scopes: [String] = []
    var words: [String] = []
    for token in Self.tokens(text) {
      switch token {
      case .open:
        scopes.append(words.first ?? "")
        words = []
      case .close:
        _ = scopes.popLast()
        words = []
      case .end:
        if words.count >= 2 { values[Self.name(scopes + [words[0]])] = Value(text: words[1], file: file) }
        words = []
      case .clear(let name):
        let prefix = Self.name(scopes + [name])
        values = values.filter { $0.key != prefix && !$0.key.hasPrefix(prefix + "::") }
      case .word(let word): words.append(word)
      }
    }
  }

  private static func name(_ parts: [String]) -> String { parts.filter { !$0.isEmpty }.joined(separator: "::").lowercased() }

  enum Token: Equatable {
    case word(String), open, close, end, clear(String)
  }

  /// The tokens of apt.conf text, comments dropped; a quoted value is one word.
  static func tokens(_ text: String) -> [Token] {
    var tokens: [Token] = []
    let chars = Array(text)
    var i = 0
    func skipLine() { while i < chars.count, chars[i] != "\n" { i += 1 } }
    func word() -> String {
      var w = ""
      while i < chars.count, !chars[i].isWhitespace, !"{};\"".contains(chars[i]) {
        w.append(chars[i])
        i += 1
      }
      return w
    }
    while i < chars.count {
      let c = chars[i]
      let next = i + 1 < chars.count ? chars[i + 1] : "\0"
      if c.isWhitespace {
        i += 1
      } else if c == "/" && next == "/" {
        skipLine()
      } else if c == "/" && next == "*" {
        i += 2
        while i + 1 < chars.count, !(chars[i] == "*" && chars[i + 1] == "/") { i += 1 }
        i += 2
      } else if c == "#" {
        let directive = word()
        if directive == "#clear" {
          while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
          tokens.append(.clear(word()))
        } else {
          // A comment, or #include (whose file apt.conf.d parts do not use).
          skipLine()
        }
      } else if c == "\"" {
        i += 1
        var w = ""
        while i < chars.count, chars[i] != "\"" {
          w.append(chars[i])
          i += 1
        }
        i += 1
        tokens.append(.word(w))
      } else if "{};".contains(c) {
        tokens.append(c == "{" ? .open : c == "}" ? .close : .end)
        i += 1
      } else {
        tokens.append(.word(word()))
      }
    }
    return tokens
  }
}
