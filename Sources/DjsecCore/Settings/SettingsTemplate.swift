import Foundation

/// A deliberately small template language for `templates/*.tmpl`:
/// `{{NAME}}` is replaced by an already-rendered Python literal, and
/// `{{#FLAG}}…{{/FLAG}}` / `{{^FLAG}}…{{/FLAG}}` keep a block when FLAG is on / off.
/// Values are rendered as Python literals by the caller, never HTML-escaped
/// (which is why a general-purpose Mustache library is not used).
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

  public func render(values: [String: String], flags: [String: Bool]) throws(TemplateError) -> String {
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
      } else {
        guard let value = values[tag] else { throw .unknownName(template: name, name: tag) }
        if emitting { out += value }
      }
    }
    guard stack.isEmpty else { throw .malformed(template: name, reason: "{{#\(stack.last!.name)}} is never closed") }
    out += rest
    return out
  }
}

public enum TemplateError: Error, Equatable, Sendable {
  case notFound(path: String)
  case malformed(template: String, reason: String)
  case unknownName(template: String, name: String)
}

extension TemplateError: DjsecError {
  public var message: String {
    switch self {
    case .notFound(let path): "template \(path) not found"
    case .malformed(let t, let reason): "template \(t) is malformed: \(reason)"
    case .unknownName(let t, let n): "template \(t) uses {{\(n)}}, which djsec does not provide"
    }
  }

  public var hint: String? {
    switch self {
    case .notFound: "reinstall djsec (make install) or pass --template PATH"
    case .malformed, .unknownName: "fix the template, or remove it to use the one shipped with djsec"
    }
  }
}
