import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Env: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "env",
      abstract: "List a project's environments (development, production, ...) and choose the one this checkout renders.",
      subcommands: [List.self, Use.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show each environment: its store, recipients, profile and hosts; * marks this checkout's.")

      func run() throws {
        let ws = try Workspace.find(from: Djsec.currentFolder, variables: Djsec.environment)
        let envs = ws.environments()
        guard !envs.isEmpty else {
          print("no environments: create one with 'djsec init --env production --host example.com'")
          return
        }
        for env in envs {
          let summary = EnvironmentSummary(name: env, store: ws.root.appendingPathComponent(env.storeFileName))
          let mark = env == ws.environment ? "*" : " "
          var fields = [summary.store.lastPathComponent]
          if let problem = summary.problem {
            fields.append("unreadable: \(problem)")
          } else {
            fields.append("recipients: \(summary.recipients.joined(separator: ", "))")
            fields.append("profile: \(summary.profile ?? "deploy")")
            if let hosts = summary.hosts { fields.append("hosts: \(hosts)") }
            if let settings = summary.settings { fields.append("settings: \(settings)") }
          }
          print("\(mark) \(env)  " + fields.joined(separator: "  "))
        }
        if envs == [.default] {
          // Today's single store serves every machine: say how to give production its own.
          print(
            "one store for every machine: give production its own store, key and SECRET_KEY with "
              + "'djsec init --env production --host example.com', and keep secrets.djsec for development")
        }
      }
    }

    struct Use: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "use",
        abstract: "Make NAME the environment this checkout renders (remembered in your state folder, outside the checkout).")
      @Argument(help: "The environment's name (default for secrets.djsec).") var name: String

      func run() throws {
        let ws = try Workspace.find(from: Djsec.currentFolder, environment: name, variables: Djsec.environment)
        try StoreOptions.requireStore(ws)
        try ws.localState.remember(ws.environment)
        print("this checkout now uses environment \(ws.environment) (\(ws.store.lastPathComponent)); run 'djsec render' to deploy it")
      }
    }
  }
}
