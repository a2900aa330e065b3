import Foundation

/// One notification attempt as it ended: what was sent when, to which receiver, the outcome
/// and the rendered body (secrets are never part of a body Vigil records).
public struct NotificationRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable { case sent, failed }

    public var id: Int64 = 0
    public var at: Date
    public var receiver: String
    /// `slack`, `pagerduty` or `webhook`, with the index: `slack/0`.
    public var integration: String
    public var groupKey: String
    public var status: String
    public var numFiring: Int
    public var numResolved: Int
    public var outcome: Outcome
    public var attempts: Int
    public var error: String
    public var body: String

    public init(
        at: Date, receiver: String, integration: String, groupKey: String, status: String, numFiring: Int,
        numResolved: Int, outcome: Outcome, attempts: Int, error: String, body: String
    ) {
        self.at = at
        self.receiver = receiver
        self.integration = integration
        self.groupKey = groupKey
        self.status = status
        self.numFiring = numFiring
        self.numResolved = numResolved
        self.outcome = outcome
        self.attempts = attempts
        self.error = error
        self.body = body
    }
}

extension NotifyStore {
    public func appendHistory(_ r: NotificationRecord) throws {
        try locked {
            try db.run(
                """
                INSERT INTO history (at, receiver, integration, group_key, status, num_firing, num_resolved,
                outcome, attempts, error, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                """, .double(r.at.timeIntervalSince1970), .text(r.receiver), .text(r.integration), .text(r.groupKey),
                .text(r.status), .int(Int64(r.numFiring)), .int(Int64(r.numResolved)), .text(r.outcome.rawValue),
                .int(Int64(r.attempts)), .text(r.error), .text(r.body))
        }
    }

    /// Newest first; optionally one receiver, a time window and a maximum count.
    public func history(receiver: String? = nil, since: Date? = nil, limit: Int = 100) throws -> [NotificationRecord] {
        var out: [NotificationRecord] = []
        try locked {
            try db.query(
                """
                SELECT id, at, receiver, integration, group_key, status, num_firing, num_resolved, outcome, attempts,
                error, body FROM history WHERE (?1 IS NULL OR receiver = ?1) AND at >= ?2 ORDER BY id DESC LIMIT ?3
                """, receiver.map { .text($0) } ?? .null, .double(since?.timeIntervalSince1970 ?? 0), .int(Int64(limit))
            ) { st in
                var r = NotificationRecord(
                    at: Date(timeIntervalSince1970: st.double(1)), receiver: st.text(2), integration: st.text(3),
                    groupKey: st.text(4), status: st.text(5), numFiring: Int(st.int64(6)), numResolved: Int(st.int64(7)),
                    outcome: NotificationRecord.Outcome(rawValue: st.text(8)) ?? .failed, attempts: Int(st.int64(9)),
                    error: st.text(10), body: st.text(11))
                r.id = st.int64(0)
                out.append(r)
            }
        }
        return out
    }

    public func deleteHistory(before cutoff: Date) throws {
        try locked { try db.run("DELETE FROM history WHERE at < ?1", .double(cutoff.timeIntervalSince1970)) }
    }
}

extension NotificationRecord {
    /// The record as the history API returns it (Vigil's own endpoint; Alertmanager has none).
    public var json: GoJSON {
        .object([
            ("id", .int(id)),
            ("time", .time(at)),
            ("receiver", .string(receiver)),
            ("integration", .string(integration)),
            ("groupKey", .string(groupKey)),
            ("status", .string(status)),
            ("firing", .int(Int64(numFiring))),
            ("resolved", .int(Int64(numResolved))),
            ("outcome", .string(outcome.rawValue)),
            ("attempts", .int(Int64(attempts))),
            ("error", .string(error)),
            ("body", .string(body)),
        ])
    }

    /// `{"status":"success","data":[…]}`, newest first, in the Prometheus API's envelope.
    public static func apiResponse(_ records: [NotificationRecord]) -> String {
        GoJSON.object([("status", .string("success")), ("data", .array(records.map(\.json)))]).encoded
    }
}

extension Dispatcher {
    /// What was sent (or failed), newest first: the notification history behind the API.
    public nonisolated func history(receiver: String? = nil, since: Date? = nil, limit: Int = 100) throws -> [NotificationRecord] {
        try store.history(receiver: receiver, since: since, limit: limit)
    }
}
