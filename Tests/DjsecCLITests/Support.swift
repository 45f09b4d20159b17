import Foundation
import XCTest

/// Runs the built `djsec` binary and other real programs (git, Django's
/// manage.py) the way a user would, in throwaway folders.
struct Run {
  var status: Int32
  var stdout: String
  var stderr: String
  /// The signal that ended the process (SIGKILL from the crash tests' shim), if one did.
  var signal: Int32? = nil
}

enum CLI {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The built binary: DJSEC_BIN when set, else the products folder the test bundle lives in.
  static var binary: URL {
    if let path = ProcessInfo.processInfo.environment["DJSEC_BIN"] { return URL(fileURLWithPath: path) }
    return Bundle.main.bundleURL.appendingPathComponent("djsec")
  }

  /// The virtualenv python with Django and PyNaCl that `make test` creates.
  static func python() throws -> URL {
    let env = ProcessInfo.processInfo.environment
    let url = env["DJSEC_TEST_PYTHON"].map(URL.init(fileURLWithPath:)) ?? packageRoot.appendingPathComponent(".venv/bin/python")
    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    if env["DJSEC_REQUIRE_DJANGO"] == "1" || env["CI"] == "true" {
      XCTFail("no Django virtualenv at \(url.path): run 'make venv'")
    }
    throw XCTSkip("no Django virtualenv at \(url.path): run 'make test' to create it")
  }

  /// Per test process: stands in for the user's XDG state, config and cache folders.
  static let testHome: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-test-home-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }()

  @discardableResult
  static func run(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil, stdin: String? = nil,
    environment: [String: String] = [:]
  ) throws -> Run {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    // djsec keeps per-user state (trust pins) and finds per-user keys under
    // the XDG folders: tests never touch the real ones.
    env["XDG_STATE_HOME"] = testHome.appendingPathComponent("state").path
    env["XDG_CONFIG_HOME"] = testHome.appendingPathComponent("config").path
    env["XDG_CACHE_HOME"] = testHome.appendingPathComponent("cache").path
    env["XDG_RUNTIME_DIR"] = nil
    // The built djsec is on PATH, as an installed one is: git runs the merge
    // driver and textconv by name, and the hooks call djsec by name.
    env["PATH"] = binary.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
    env.merge(environment) { $1 }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self),
      signal: process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil)
  }

  /// djsec in `directory` that must end with `status`; the message names the
  /// subcommand and quotes stderr (which never holds a value).
  @discardableResult
  static func expect(
    _ args: [String], in directory: URL, stdin: String? = nil, env: [String: String] = [:], status: Int32 = 0,
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> Run {
    let r = try run(binary, args, in: directory, stdin: stdin, environment: env)
    XCTAssertEqual(r.status, status, "djsec \(args.prefix(2).joined(separator: " ")): \(r.stderr)", file: file, line: line)
    return r
  }

  @discardableResult
  static func djsec(_ arguments: [String], in directory: URL? = nil, stdin: String? = nil) throws -> Run {
    try run(binary, arguments, in: directory, stdin: stdin)
  }

  @discardableResult
  static func git(_ arguments: [String], in directory: URL) throws -> Run {
    let r = try run(
      URL(fileURLWithPath: "/usr/bin/git"), arguments, in: directory,
      environment: [
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
      ])
    XCTAssertEqual(r.status, 0, "git \(arguments.joined(separator: " ")) failed: \(r.stderr)")
    return r
  }

  static func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// A fresh `django-admin startproject demo` in a new temporary folder,
  /// made by the real Django of the test virtualenv; returns that folder.
  static func startProject(_ name: String, python: URL) throws -> URL {
    let work = try temporaryFolder(name)
    let made = try run(python, ["-m", "django", "startproject", "demo"], in: work)
    XCTAssertEqual(made.status, 0, made.stderr)
    return work
  }

  /// Every regular file under `folder` (outside .git) with its bytes, to prove nothing changed.
  static func snapshot(_ folder: URL) -> [String: Data] {
    var files: [String: Data] = [:]
    let e = FileManager.default.enumerator(atPath: folder.path)
    while let p = e?.nextObject() as? String {
      if p == ".git" || p.hasPrefix(".git/") { continue }
      var isDir: ObjCBool = false
      let full = folder.appendingPathComponent(p).path
      if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
        files[p] = FileManager.default.contents(atPath: full)
      }
    }
    return files
  }
}
