import Foundation

/// A deliberately small template language for `templates/*.tmpl`:
/// `{{NAME}}` is replaced by an already-rendered Python literal,
/// `{{secret:NAME}}` by the stored secret NAME as a Python string literal, and
/// `{{#FLAG}}…{{/FLAG}}` / `{{^FLAG}}…{{/FLAG}}` keep a block when FLAG is on / off.
/// Values are rendered as Python literals, never HTML-escaped (which is why a
/// general-purpose Mustache library is not used).
///
/// A `{{secret:NAME}}` on a Python comment line is left as written: the
/// shipped template's recipes are commented out, and a recipe nobody enabled
/// must neither need its secret in the store nor copy its value into a comment.
public struct SettingsTemplate: Sendable {
  public let name: String
  public let text: String

  public init(name: String, text: String) {
    self.name = name
    self.text = text
  }

  public static func load(_ url: URL) throws(TemplateError) -> SettingsTemplate {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw .notFound(path: url.path)
    }
    return SettingsTemplate(name: url.path, text: String(decoding: data, as: UTF8.self))
  }

  /// The prefix of a secret's placeholder: `{{secret:DB_PASSWORD}}`.
  public static let secretPrefix = "secret:"

  /// `values` fill `{{NAME}}`, `flags` the sections, `secrets` (plain values,
  /// by name) `{{secret:NAME}}`, each written as `python(value)`; a secret is
  /// needed only where it is rendered.
  public func render(
    values: [String: String], flags: [String: Bool], secrets: [String: String] = [:],
    python: (String) -> String = PythonLiteral.string
  ) throws(TemplateError) -> String {
    var out = ""
    var rest = Substring(text)
    // Each open section: its name, whether it was on, and whether output is on inside it.
    var stack: [(name: String, emitting: Bool)] = []
    var emitting: Bool { stack.last?.emitting ?? true }
    while let open = rest.range(of: "{{") {
      if emitting { out += rest[..<open.lowerBound] }
      guard let close = rest[open.upperBound...].range(of: "}}") else {
        throw .malformed(template: name, reason: "an unclosed {{")
      }
      let tag = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
      rest = rest[close.upperBound...]
      if let sigil = tag.first, sigil == "#" || sigil == "^" {
        let flag = String(tag.dropFirst())
        guard let on = flags[flag] else { throw .unknownName(template: name, name: flag) }
        stack.append((flag, emitting && (sigil == "#" ? on : !on)))
        // A section tag alone on its line leaves no blank line behind.
        if rest.first == "\n", out.hasSuffix("\n") || out.isEmpty { rest = rest.dropFirst() }
      } else if tag.first == "/" {
        let flag = String(tag.dropFirst())
        guard let top = stack.popLast(), top.name == flag else {
          throw .malformed(template: name, reason: "{{/\(flag)}} closes no open section")
        }
        if rest.first == "\n", out.hasSuffix("\n") || out.isEmpty { rest = rest.dropFirst() }
      } else if tag.hasPrefix(Self.secretPrefix) {
        let secret = try secretName(tag)
        if isComment(at: open.lowerBound) {
          if emitting { out += text[open.lowerBound..<close.upperBound] }
        } else if emitting {
          guard let value = secrets[secret] else { throw .missingSecret(template: name, name: secret) }
          out += python(value)
        }
      } else {
        guard let value = values[tag] else { throw .unknownName(template: name, name: tag) }
        if emitting { out += value }
      }
    }
    guard stack.isEmpty else { throw .malformed(template: name, reason: "{{#\(stack.last!.name)}} is never closed") }
    out += rest
    return out
  }

  /// The secrets this template places itself with `{{secret:NAME}}` outside
  /// comments, in any section. `render` writes no `NAME = "..."` line for them.
  public var secretsUsed: Set<String> {
    var names: Set<String> = []
    var rest = Substring(text)
    while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
      let tag = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
      if tag.hasPrefix(Self.secretPrefix), !isComment(at: open.lowerBound), let secret = try? secretName(tag) { names.insert(secret) }
      rest = rest[close.upperBound...]
    }
    return names
  }

  /// NAME in `secret:NAME`: a name `secret set` accepts (an upper-case identifier).
  private func secretName(_ tag: String) throws(TemplateError) -> String {
    let secret = tag.dropFirst(Self.secretPrefix.count).trimmingCharacters(in: .whitespaces)
    guard SecretName.isUpperCaseIdentifier(secret) else {
      throw .malformed(template: name, reason: "{{\(tag)}} does not name a secret (NAME is upper case: {{secret:DB_PASSWORD}})")
    }
    return secret
  }

  /// True when the line holding `index` is a Python comment: `#` is the first character that is not blank.
  private func isComment(at index: String.Index) -> Bool {
    let start = text[..<index].lastIndex(where: { $0 == "\n" || $0 == "\r\n" }).map { text.index(after: $0) } ?? text.startIndex
    return text[start..<index].first(where: { $0 != " " && $0 != "\t" }) == "#"
  }
}

public enum TemplateError: Error, Equatable, Sendable {
  case notFound(path: String)
  case malformed(template: String, reason: String)
  case unknownName(template: String, name: String)
  /// `{{secret:NAME}}` where the store holds no NAME.
  case missingSecret(template: String, name: String)
}

extension TemplateError: DjsecError {
  public var message: String {
    switch self {
    case .notFound(let path): "template \(path) not found"
    case .malformed(let t, let reason): "template \(t) is malformed: \(reason)"
    case .unknownName(let t, let n): "template \(t) uses {{\(n)}}, which djsec does not provide"
    case .missingSecret(let t, let n): "template \(t) uses the secret \(n), which the store does not hold"
    }
  }

  public var hint: String? {
    switch self {
    case .notFound: "reinstall djsec (make install) or pass --template PATH"
    case .malformed, .unknownName: "fix the template, or remove it to use the one shipped with djsec"
    case .missingSecret(_, let n): "store it with 'djsec secret set \(n)', or take {{secret:\(n)}} out of the template"
    }
  }
}
