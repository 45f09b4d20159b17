import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "status",
      abstract: "Show each environment: its store, recipients, and whether local_settings.py is in step with it.",
      discussion: "Exits 1 when something needs a command to be run (each such line names it), 0 otherwise.")
    @OptionGroup var options: StoreOptions

    func run() throws {
      let ws = try options.workspace()
      let envs = ws.environments()
      guard !envs.isEmpty else {
        print("no store here: start with 'djsec init --host example.com' (or --env NAME for a named environment)")
        throw ExitCode(1)
      }
      let trust = try StoreOptions.trust()
      var needsWork = false
      let here = Djsec.currentFolder
      for env in envs {
        let status = EnvironmentStatus(ws, environment: env) { url in
          try SecretStore.open(url, keyRing: ws.location.keyRing, passphrase: Terminal.passphrase, trust: trust, access: .read)
        }
        let chosen = env == ws.environment
        print("\(chosen ? "*" : " ") \(env): \(relativePath(status.summary.store, from: here))")
        print("    recipients: \(status.summary.recipients.joined(separator: ", "))")
        if let problem = status.openProblem { print("    store: cannot open here: \(problem)") }
        let file = status.target.map { relativePath($0, from: here) } ?? "local_settings.py"
        let flag = env.isDefault ? "" : " --env \(env)"
        switch status.deployment {
        case .absent: print("    \(file): not rendered here" + (chosen ? " (run 'djsec render\(flag)')" : ""))
        case .inStep: print("    \(file): in step with the store")
        case .behind:
          needsWork = true
          print("    \(file): behind the store (a rotation did not render): run 'djsec render\(flag)'")
        case .otherEnvironment(let other): print("    \(file): holds environment \(other)")
        case .notRendered:
          needsWork = chosen || needsWork
          print("    \(file): not written by djsec; 'djsec render\(flag) --force' replaces it and keeps a backup")
        case .unknown: print("    \(file): rendered from this store (no key here opens it to compare)")
        }
        for temp in status.temporaryFiles {
          needsWork = true
          print(
            "    left by a killed djsec: \(relativePath(temp, from: here)) (may hold secrets): remove it with 'rm \(relativePath(temp, from: here))'"
          )
        }
      }
      if let problem = GitDriver.problem(in: ws.root) {
        needsWork = true
        print(problem)
      }
      if envs == [.default] {
        print("one store for every machine: 'djsec init --env production --host example.com' gives production its own")
      }
      if needsWork { throw ExitCode(1) }
    }
  }
}
