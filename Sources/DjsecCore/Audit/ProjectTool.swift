import Foundation

/// Runs one of the project's own tools (manage.py, flake8) in the project's
/// folder, where it finds its configuration. Foundation's Process, not
/// Subprocess: posix_spawn cannot change folder from Swift (Subprocess runs
/// git, which takes -C), and a check runs each tool once.
enum ProjectTool {
  struct Output {
    var status: Int32
    var stdout: String
    /// Empty when merged into stdout.
    var stderr: String
  }

  /// nil when `executable` does not start.
  static func run(_ executable: URL, _ arguments: [String], in folder: URL, mergingErrors: Bool = false) -> Output? {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    process.environment = ChildEnvironment.variables()
    let out = Pipe()
    let err = mergingErrors ? out : Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    // Both pipes drained at once, so a full one never stalls the tool.
    nonisolated(unsafe) var errors = Data()
    let group = DispatchGroup()
    if !mergingErrors {
      DispatchQueue.global().async(group: group) { errors = err.fileHandleForReading.readDataToEndOfFile() }
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Output(
      status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: String(decoding: errors, as: UTF8.self))
  }
}
