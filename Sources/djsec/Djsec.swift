import ArgumentParser
internal import CBuildInfo
import DjsecCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

@main
struct Djsec: ParsableCommand {
  /// `0.1.0 (commit 3c43396a1b2c; libsodium 1.0.18, Hyperscan 5.4.0)`.
  static let version = "\(DjsecVersion.current) (commit \(String(cString: djsec_build_commit())); \(DjsecVersion.libraries))"

  static let configuration = CommandConfiguration(
    commandName: "djsec",
    abstract: "Keep a Django project's secrets out of harm's way.",
    version: version,
    subcommands: [
      Keygen.self, Init.self, Scan.self, Keys.self, Secret.self, Recipients.self, Trust.self, Render.self, Rotate.self, Exec.self,
      Export.self, Env.self, Status.self, Rules.self, Ignore.self, Hook.self, CheckCommand.self,
      GitSetup.self,
      MergeDriver.self,
      Textconv.self,
    ]
  )

  /// The DJSEC_* variables, taken out of the process environment when
  /// `main` starts (see DjsecEnvironment.capture), so no child inherits them.
  static let environment = DjsecEnvironment.capture()

  /// The folder djsec was started in: paths on the command line are relative to it.
  static var currentFolder: URL { URL(fileURLWithPath: FileManager.default.currentDirectoryPath) }

  /// One place turns errors into messages and exit codes: 0 success, 1 an
  /// outcome the caller asked about (findings, a missing secret), 2 could not run.
  static func main() {
    // Before any secret is read: no core file can hold one, and no DJSEC_*
    // variable is left in the environment for a child process.
    do { try ProcessHardening.forbidCoreDumps() } catch {
      Diagnostics.warning("could not forbid core dumps (\(error.message)): a crash could leave secrets in a core file")
    }
    _ = environment
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as any DjsecError {
      Diagnostics.report(error)
      Glibc.exit(error.exitCode)
    } catch let code as ExitCode {
      Glibc.exit(code.rawValue)
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        Glibc.exit(0)
      }
      var message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
      if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
      Diagnostics.error(message.prefix(1).lowercased() + message.dropFirst(), hint: "run 'djsec help' for usage")
      Glibc.exit(2)
    }
  }
}
