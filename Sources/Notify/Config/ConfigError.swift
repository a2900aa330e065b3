/// An alertmanager.yml that Alertmanager 0.25 would refuse, with where it went wrong.
///
/// `message` is Alertmanager's own wording (what `amtool check-config` prints after
/// `FAILED: `), so the check output can match amtool's; `line`/`column` locate the problem in
/// the file for Vigil's own messages (`file:line:col: message`), even where Alertmanager gives
/// no position.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:col: message`, the form Vigil logs.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let column { s += ":\(column)" }
        return s + ": " + message
    }
}
