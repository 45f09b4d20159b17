import ArgumentParser
import DjsecCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension Djsec.Secret {
  /// Opens $EDITOR on a plaintext copy (NAME=value lines, values JSON-quoted
  /// when they need it) in a private 0700 folder that is removed afterwards
  /// whatever happens; nothing changes if the editor fails or nothing changed.
  struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Edit every secret in $EDITOR.")
    @OptionGroup var options: StoreOptions

    func run() throws {
      try options.modify(
        create: true,
        orFail: { store in
          var template = Array("\(NSTemporaryDirectory())/djsec-edit-XXXXXX".utf8CString)
          guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw StoreError.file(.cannotWrite(path: NSTemporaryDirectory(), errno: errno))
          }
          let folder = URL(fileURLWithPath: String(cString: made))
          defer { try? FileManager.default.removeItem(at: folder) }
          chmod(folder.path, 0o700)
          let file = folder.appendingPathComponent("secrets.env")
          var text = "# One NAME=value per line; a value in double quotes is read as a JSON string.\n"
          for name in store.names { text += "\(name)=\(EditText.quote(try store.string(name)))\n" }
          do throws(FileError) { try AtomicFile.write(text, to: file, mode: 0o600) } catch { throw StoreError.file(error) }
          let editor = ProcessInfo.processInfo.environment["VISUAL"] ?? ProcessInfo.processInfo.environment["EDITOR"] ?? "vi"
          let status = EditText.runEditor(editor, file.path)
          guard status == 0 else { throw StoreError.editorFailed(editor: editor, status: status) }
          guard let edited = FileManager.default.contents(atPath: file.path) else {
            throw StoreError.file(.cannotRead(path: file.path, errno: errno))
          }
          let values = try EditText.parse(String(decoding: edited, as: UTF8.self))
          for name in store.names where values[name] == nil { try store.remove(name) }
          for (name, value) in values.sorted(by: { $0.key < $1.key }) { try store.set(name, Array(value.utf8)) }
        })
    }
  }
}

extension StoreOptions {
  /// `modify` for a body that may also fail with another area's error (a
  /// refused secret name): nothing is saved, and that error comes out as it was.
  func modify<R>(create: Bool = false, orFail body: (SecretStore) throws -> R) throws -> R {
    var other: (any Error)?
    do {
      return try modify(create: create) { store throws(StoreError) -> R in
        do { return try body(store) } catch let error as StoreError { throw error } catch {
          other = error
          // Only stops SecretStore.modify before it saves; replaced by `other` below.
          throw .editorFailed(editor: "", status: 0)
        }
      }
    } catch {
      throw other ?? error
    }
  }
}

enum EditText {
  static func quote(_ value: String) -> String {
    let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 32 && $0.value < 127 && $0 != "\"" && $0 != "\\" }
    if plain { return value }
    let data = (try? JSONSerialization.data(withJSONObject: [value], options: [.withoutEscapingSlashes])) ?? Data()
    let array = String(decoding: data, as: UTF8.self)
    return String(array.dropFirst().dropLast())
  }

  /// The edited lines; a name `secret set` would refuse fails with SecretNameError.
  static func parse(_ text: String) throws -> [String: String] {
    var out: [String: String] = [:]
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      guard let eq = trimmed.firstIndex(of: "=") else {
        throw StoreError.malformed(file: "the edited copy", line: i + 1, reason: "expected NAME=value")
      }
      let name = String(trimmed[..<eq])
      var value = String(trimmed[trimmed.index(after: eq)...])
      try SecretName.check(name, notWrittenBy: Djsec.Secret.shippedTemplate)
      if value.hasPrefix("\"") {
        guard let data = "[\(value)]".data(using: .utf8), let array = try? JSONSerialization.jsonObject(with: data) as? [String],
          let decoded = array.first
        else { throw StoreError.malformed(file: "the edited copy", line: i + 1, reason: "bad quoted value for \(name)") }
        value = decoded
      }
      out[name] = value
    }
    return out
  }

  /// Runs the editor with djsec ignoring Ctrl-C and Ctrl-\\ meanwhile (as git
  /// does): the keys reach the editor, and djsec lives on to remove the
  /// plaintext copy.
  static func runEditor(_ editor: String, _ path: String) -> Int32 {
    let oldInt = signal(SIGINT, SIG_IGN)
    let oldQuit = signal(SIGQUIT, SIG_IGN)
    defer {
      signal(SIGINT, oldInt)
      signal(SIGQUIT, oldQuit)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "\(editor) \"$1\"", "djsec-edit", path]
    do { try process.run() } catch { return 127 }
    process.waitUntilExit()
    return process.terminationStatus
  }
}
