extension Djsec {
  /// `djsec export`: `djsec secret export` at the top level, where a deploy
  /// script looks for it beside `djsec exec`. The same command type, listed
  /// in both places, so the two cannot drift apart.
  typealias Export = Secret.Export
}
