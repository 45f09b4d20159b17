import ArgumentParser
import DjsecCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension Djsec {
  /// `djsec exec -- CMD ...`: djsec becomes CMD (execve), with the store's
  /// secrets in its environment and nothing written to disk; signals and the
  /// exit status are CMD's own.
  struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "exec",
      abstract: "Run a command with the store's secrets in its environment, each under its own name; no file is written.",
      discussion: """
        djsec exec -- gunicorn mysite.wsgi        every secret, e.g. SECRET_KEY and DB_PASSWORD
        djsec exec --only DB_PASSWORD -- psql     just these
        The command never sees DJSEC_* variables. A store djsec refuses to read is refused here too.
        """)
    @OptionGroup var options: StoreOptions
    @Option(name: .customLong("only"), help: "Pass only this secret (repeatable).") var only: [String] = []
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments, after --.") var command: [String] = []

    func validate() throws {
      // Everything after `exec` is the command's, but a lone --help is the user asking djsec.
      if command == ["--help"] || command == ["-h"] { throw CleanExit.helpRequest(self) }
      if command.first == "--" { return }
      guard !command.isEmpty else { throw ValidationError("name the command to run after --, e.g. djsec exec -- gunicorn mysite.wsgi") }
    }

    func run() throws {
      let argv = command.first == "--" ? Array(command.dropFirst()) : command
      guard let program = argv.first else {
        throw ValidationError("name the command to run after --, e.g. djsec exec -- gunicorn mysite.wsgi")
      }
      // Rendering deploys values; so does this: the same refusals as render.
      let store = try options.open(access: .write)
      let entries = try SecretEnvironment.entries(store, only: only)
      let path = try Self.resolve(program)
      // Byte for byte (a value need not be UTF-8); NUL-terminated for execve.
      var cEnvironment: [UnsafeMutablePointer<CChar>?] = entries.map { bytes in
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        for (i, byte) in bytes.enumerated() { p[i] = CChar(bitPattern: byte) }
        p[bytes.count] = 0
        return p
      }
      cEnvironment.append(nil)
      var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
      cArguments.append(nil)
      execve(path, cArguments, cEnvironment)
      throw ExecError.cannotRun(command: program, errno: errno)
    }

    /// The program as PATH finds it (execve does not search).
    static func resolve(_ program: String) throws(ExecError) -> String {
      if program.contains("/") {
        // As a shell says it: a path to nothing is "not found" (127), not "permission denied".
        guard FileManager.default.fileExists(atPath: program) else { throw .notFound(command: program) }
        return program
      }
      guard let found = SearchPath.find(program, in: ProcessInfo.processInfo.environment["PATH"]) else {
        throw .notFound(command: program)
      }
      return found
    }
  }
}
