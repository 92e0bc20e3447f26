//! The embedding API's commands (README, "postMessage API"): a host page's message checked and
//! turned into a typed [`EmbedCommand`], or one sentence saying what is wrong with it.
//!
//! Pure and native, so it is unit-tested and fuzzed without a browser; `ui::embed` receives the
//! messages and carries the commands out. Nothing here allocates in proportion to a number in
//! the message: node numbers are checked against the cluster size, partition groups against a
//! fixed limit, times against [`MAX_AT`].

use crate::scenario::MAX_AT;
use crate::sim::chaos::MAX_CHAOS_RATE;
use crate::sim::json_read::Value;
use crate::sim::node::NodeId;
use crate::sim::time::Micros;

/// The envelope's `source` on every message in both directions.
pub const SOURCE: &str = "quorumscope";

/// Most partition groups a command may list (side numbers are base-36 digits in links).
pub const MAX_GROUPS: usize = 35;

/// The node a command names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// Node number `n` (checked: 1 … cluster size).
    Id(NodeId),
    /// `"leader"`: the leading node (for `restart`: the node crashed most recently).
    Leader,
}

/// A well-formed command from the host page.
#[derive(Clone, Debug, PartialEq)]
pub enum EmbedCommand {
    /// Start the clock.
    Play,
    /// Stop the clock.
    Pause,
    /// Process exactly one event.
    Step,
    /// Move to a virtual time (clamped to [`MAX_AT`]).
    Seek {
        /// The time to move to.
        t: Micros,
    },
    /// Play at the speed-ladder step nearest to `speed` (virtual seconds per wall second).
    SetSpeed {
        /// A positive, finite speed.
        speed: f64,
    },
    /// Crash a node.
    Crash(NodeRef),
    /// Restart a crashed node.
    Restart(NodeRef),
    /// A client sends the next command to a node.
    ClientRequest(NodeRef),
    /// Drop the next message in flight from `from` to `to`.
    DropNext {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
    },
    /// Split the network: `sides[i]` is node `i + 1`'s side.
    Partition {
        /// One side per node; unlisted nodes share one more side.
        sides: Vec<u8>,
    },
    /// Remove every partition and cut link.
    Heal,
    /// Freeze a node for a while (as in a long garbage-collection pause).
    PauseNode {
        /// The node.
        node: NodeRef,
        /// How long, in µs (1 µs to 10 minutes).
        duration: Micros,
    },
    /// Cut one direction of a link: `to` no longer hears `from`.
    CutOneWay {
        /// Sender whose messages are lost.
        from: NodeId,
        /// Receiver that no longer hears it.
        to: NodeId,
    },
    /// Give the direction `from` → `to` its own latency range (`None`: the network's again).
    SlowLink {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Latency range in µs.
        latency: Option<(Micros, Micros)>,
    },
    /// Switch chaos mode on at `rate` faults per 1,000 virtual seconds, or off (0).
    SetChaos {
        /// Faults per 1,000 virtual seconds, at most [`MAX_CHAOS_RATE`].
        rate: u32,
    },
    /// Change a setting mid-run (see [`crate::sim::LiveSpec`]).
    SetParam {
        /// The node whose knob changes, or `None` for a run-wide parameter.
        node: Option<NodeId>,
        /// The setting's key, e.g. `policy`.
        key: String,
        /// Its new value as a link writes it, e.g. `p2c` or `25`.
        value: String,
    },
    /// Replace the run with a link's run.
    Load {
        /// A QuorumScope link or query string.
        link: String,
    },
}

/// Checks a message's envelope: `{source: "quorumscope", type: "command", command: "…"}`, with
/// an optional `id` that is a string or a number.
pub fn check_envelope(v: &Value) -> Result<(), String> {
    if v.get("source").and_then(Value::as_str) != Some(SOURCE) {
        return Err("ignored a message without source: \"quorumscope\".".into());
    }
    if v.get("type").and_then(Value::as_str) != Some("command") {
        return Err("ignored a message whose type is not \"command\".".into());
    }
    if !v.get("command").is_some_and(Value::is_string) {
        return Err("ignored a command message without a command name.".into());
    }
    if v.get("id")
        .is_some_and(|id| !(id.is_string() || id.is_number()))
    {
        return Err("ignored a command whose id is neither a string nor a number.".into());
    }
    Ok(())
}

/// The command a message carries, for a cluster of `nodes` nodes.
pub fn parse_command(cmd: &Value, nodes: usize) -> Result<EmbedCommand, String> {
    let name = cmd.get("command").and_then(Value::as_str).unwrap_or("");
    let number = |key: &str| {
        cmd.get(key)
            .and_then(Value::as_f64)
            .filter(|x| x.is_finite())
    };
    let node = || node_ref(cmd, nodes);
    Ok(match name {
        "play" => EmbedCommand::Play,
        "pause" => EmbedCommand::Pause,
        "step" => EmbedCommand::Step,
        "seek" => {
            let t = number("t_ms")
                .filter(|t| *t >= 0.0)
                .ok_or("seek needs t_ms, a virtual time in milliseconds")?;
            // `as` saturates: a huge time becomes u64::MAX, then the bound.
            EmbedCommand::Seek {
                t: ((t * 1000.0) as Micros).min(MAX_AT),
            }
        }
        "setSpeed" => EmbedCommand::SetSpeed {
            speed: number("speed")
                .filter(|x| *x > 0.0)
                .ok_or("setSpeed needs speed, a positive number (1 = real time)")?,
        },
        "crash" => EmbedCommand::Crash(node()?),
        "restart" => EmbedCommand::Restart(node()?),
        "clientRequest" => EmbedCommand::ClientRequest(node()?),
        "dropNext" => {
            let (from, to) = link_ends(cmd, name, nodes)?;
            EmbedCommand::DropNext { from, to }
        }
        "pauseNode" => {
            let ms = number("ms")
                .filter(|ms| *ms >= 0.001 && *ms <= 600_000.0)
                .ok_or("pauseNode needs ms, a pause from 0.001 to 600000 milliseconds")?;
            EmbedCommand::PauseNode {
                node: node()?,
                duration: (ms * 1000.0).round() as Micros,
            }
        }
        "cutOneWay" => {
            let (from, to) = link_ends(cmd, name, nodes)?;
            EmbedCommand::CutOneWay { from, to }
        }
        "slowLink" => {
            let (from, to) = link_ends(cmd, name, nodes)?;
            let bad = "slowLink needs min_ms and max_ms from 0 to 60000 with min_ms ≤ max_ms, or neither to restore the network's latency";
            let latency = match (cmd.get("min_ms"), cmd.get("max_ms")) {
                (None, None) => None,
                _ => {
                    let lo = number("min_ms").filter(|x| *x >= 0.0).ok_or(bad)?;
                    let hi = number("max_ms")
                        .filter(|x| *x >= lo && *x <= 60_000.0)
                        .ok_or(bad)?;
                    Some((
                        (lo * 1000.0).round() as Micros,
                        (hi * 1000.0).round() as Micros,
                    ))
                }
            };
            EmbedCommand::SlowLink { from, to, latency }
        }
        "partition" => EmbedCommand::Partition {
            sides: sides(cmd, nodes)?,
        },
        "heal" => EmbedCommand::Heal,
        "setChaos" => {
            let top = (MAX_CHAOS_RATE / 1000) as f64;
            let rate = number("rate")
                .filter(|r| (0.0..=top).contains(r))
                .ok_or("setChaos needs rate, faults per virtual second from 0 (off) to 1000")?;
            EmbedCommand::SetChaos {
                rate: (rate * 1000.0).round() as u32,
            }
        }
        "setParam" => {
            let key = cmd.get("key").and_then(Value::as_str);
            let value = match cmd.get("value") {
                Some(Value::String(v)) => Some(v.clone()),
                Some(v @ Value::Number(_)) => Some(v.to_json()),
                _ => None,
            };
            let (Some(key), Some(value)) = (key, value) else {
                return Err(
                    "setParam needs key (e.g. \"policy\") and value (e.g. \"p2c\" or 25)".into(),
                );
            };
            let node = match cmd.get("node") {
                None | Some(Value::Null) => None,
                Some(_) => match node()? {
                    NodeRef::Id(id) => Some(id),
                    NodeRef::Leader => return Err("setParam's node is a node number".into()),
                },
            };
            EmbedCommand::SetParam {
                node,
                key: key.to_string(),
                value,
            }
        }
        "load" => EmbedCommand::Load {
            link: cmd
                .get("link")
                .and_then(Value::as_str)
                .ok_or("load needs link, a QuorumScope link or query string")?
                .to_string(),
        },
        _ => {
            return Err(format!(
                "unknown command '{}'",
                crate::scenario::shorten(name)
            ));
        }
    })
}

/// The two ends `from` and `to` of a link, different node numbers from 1 to `nodes`.
fn link_ends(cmd: &Value, name: &str, nodes: usize) -> Result<(NodeId, NodeId), String> {
    let end = |key: &str| {
        cmd.get(key)
            .and_then(Value::as_u64)
            .filter(|x| (1..=nodes as u64).contains(x))
            .map(|x| x as NodeId)
    };
    match (end("from"), end("to")) {
        (Some(from), Some(to)) if from != to => Ok((from, to)),
        _ => Err(format!(
            "{name} needs from and to, two different node numbers from 1 to {nodes}"
        )),
    }
}

/// The node named by `node`: a number from 1 to `nodes`, or `"leader"`.
fn node_ref(cmd: &Value, nodes: usize) -> Result<NodeRef, String> {
    let n = nodes as u64;
    match cmd.get("node") {
        Some(Value::Number(x)) => match x.as_u64() {
            Some(id) if (1..=n).contains(&id) => Ok(NodeRef::Id(id as NodeId)),
            _ => Err(format!("node must be a number from 1 to {n}")),
        },
        Some(Value::String(w)) if w == "leader" => Ok(NodeRef::Leader),
        _ => Err(format!("node must be a number from 1 to {n} or \"leader\"")),
    }
}

/// Partition sides from `groups: [[1, 2], [3, 4, 5]]`; nodes not listed form one more side.
fn sides(cmd: &Value, n: usize) -> Result<Vec<u8>, String> {
    let bad = || format!("partition needs groups, e.g. [[1,2],[3,4,5]], with nodes from 1 to {n}");
    let groups = cmd
        .get("groups")
        .and_then(Value::as_array)
        .filter(|g| !g.is_empty() && g.len() <= MAX_GROUPS)
        .ok_or_else(bad)?;
    let rest = groups.len() as u8;
    let mut out = vec![rest; n];
    for (side, group) in groups.iter().enumerate() {
        for node in group.as_array().ok_or_else(bad)? {
            let id = node
                .as_u64()
                .filter(|id| (1..=n as u64).contains(id))
                .ok_or_else(bad)? as usize;
            if out[id - 1] != rest {
                return Err(format!("Node {id} is in two groups"));
            }
            out[id - 1] = side as u8;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// The command `v` is, read as the page reads a posted message: from its JSON text.
    fn parse(v: Value) -> Result<EmbedCommand, String> {
        let v = crate::sim::json_read::parse(&v.to_string()).expect("JSON");
        check_envelope(&v)?;
        parse_command(&v, 5)
    }

    fn cmd(name: &str, fields: Value) -> Value {
        let mut v = json!({"source": "quorumscope", "type": "command", "command": name});
        for (k, x) in fields.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    }

    #[test]
    fn well_formed_commands_are_typed() {
        assert_eq!(parse(cmd("play", json!({}))), Ok(EmbedCommand::Play));
        assert_eq!(
            parse(cmd("crash", json!({"node": "leader", "id": 7}))),
            Ok(EmbedCommand::Crash(NodeRef::Leader))
        );
        assert_eq!(
            parse(cmd("partition", json!({"groups": [[1, 2], [3]]}))),
            Ok(EmbedCommand::Partition {
                sides: vec![0, 0, 1, 2, 2]
            })
        );
        assert_eq!(
            parse(cmd("seek", json!({"t_ms": 147007.013}))),
            Ok(EmbedCommand::Seek { t: 147_007_013 })
        );
        assert_eq!(
            parse(cmd("setChaos", json!({"rate": 0.5}))),
            Ok(EmbedCommand::SetChaos { rate: 500 })
        );
        assert_eq!(
            parse(cmd("setChaos", json!({"rate": 0}))),
            Ok(EmbedCommand::SetChaos { rate: 0 })
        );
    }

    #[test]
    fn node_pauses_one_way_cuts_and_slow_links_are_typed() {
        assert_eq!(
            parse(cmd("pauseNode", json!({"node": "leader", "ms": 450}))),
            Ok(EmbedCommand::PauseNode {
                node: NodeRef::Leader,
                duration: 450_000
            })
        );
        assert_eq!(
            parse(cmd("cutOneWay", json!({"from": 2, "to": 4}))),
            Ok(EmbedCommand::CutOneWay { from: 2, to: 4 })
        );
        assert_eq!(
            parse(cmd(
                "slowLink",
                json!({"from": 1, "to": 3, "min_ms": 80, "max_ms": 120.5})
            )),
            Ok(EmbedCommand::SlowLink {
                from: 1,
                to: 3,
                latency: Some((80_000, 120_500))
            })
        );
        assert_eq!(
            parse(cmd("slowLink", json!({"from": 1, "to": 3}))),
            Ok(EmbedCommand::SlowLink {
                from: 1,
                to: 3,
                latency: None
            })
        );
        for (bad, says) in [
            (cmd("pauseNode", json!({"node": 1})), "needs ms"),
            (cmd("pauseNode", json!({"node": 1, "ms": 1e9})), "needs ms"),
            (cmd("pauseNode", json!({"node": 9, "ms": 5})), "1 to 5"),
            (
                cmd("cutOneWay", json!({"from": 2, "to": 2})),
                "two different",
            ),
            (cmd("cutOneWay", json!({"from": 2})), "two different"),
            (
                cmd(
                    "slowLink",
                    json!({"from": 1, "to": 2, "min_ms": 9, "max_ms": 3}),
                ),
                "min_ms ≤ max_ms",
            ),
            (
                cmd("slowLink", json!({"from": 1, "to": 2, "max_ms": 3})),
                "min_ms ≤ max_ms",
            ),
        ] {
            let e = parse(bad.clone()).expect_err("refused");
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn setting_changes_carry_their_value_as_a_link_writes_it() {
        let set = |node, key: &str, value: &str| EmbedCommand::SetParam {
            node,
            key: key.into(),
            value: value.into(),
        };
        assert_eq!(
            parse(cmd("setParam", json!({"key": "policy", "value": "p2c"}))),
            Ok(set(None, "policy", "p2c"))
        );
        assert_eq!(
            parse(cmd(
                "setParam",
                json!({"key": "speed", "value": 25, "node": 3})
            )),
            Ok(set(Some(3), "speed", "25"))
        );
        for (bad, says) in [
            (json!({"value": 1}), "needs key"),
            (json!({"key": "policy"}), "and value"),
            (json!({"key": "speed", "value": 1, "node": 9}), "1 to 5"),
            (
                json!({"key": "speed", "value": 1, "node": "leader"}),
                "node number",
            ),
        ] {
            let e = parse(cmd("setParam", bad.clone())).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn seeking_is_clamped_to_the_longest_run_a_link_opens() {
        for huge in [json!(1e300), json!(u64::MAX), json!(86_400_001_000u64)] {
            assert_eq!(
                parse(cmd("seek", json!({ "t_ms": huge }))),
                Ok(EmbedCommand::Seek { t: MAX_AT })
            );
        }
        assert!(parse(cmd("seek", json!({"t_ms": -1}))).is_err());
        assert!(parse(cmd("seek", json!({"t_ms": "soon"}))).is_err());
    }

    #[test]
    fn malformed_commands_get_a_sentence() {
        for (v, expect) in [
            (json!({"type": "command", "command": "play"}), "source"),
            (json!({"source": "quorumscope", "command": "play"}), "type"),
            (
                json!({"source": "quorumscope", "type": "command"}),
                "command name",
            ),
            (cmd("play", json!({"id": [1]})), "id"),
            (cmd("crash", json!({"node": 6})), "1 to 5"),
            (cmd("crash", json!({"node": -1})), "1 to 5"),
            (
                cmd("dropNext", json!({"from": 1.5, "to": 2})),
                "from and to",
            ),
            (
                cmd("partition", json!({"groups": [[1], [1]]})),
                "two groups",
            ),
            (
                cmd("partition", json!({"groups": vec![vec![1]; 36]})),
                "groups",
            ),
            (cmd("setSpeed", json!({"speed": 0})), "positive"),
            (cmd("setChaos", json!({"rate": -1})), "from 0 (off) to 1000"),
            (
                cmd("setChaos", json!({"rate": 1e9})),
                "from 0 (off) to 1000",
            ),
            (cmd("setChaos", json!({})), "needs rate"),
            (cmd("load", json!({"link": 5})), "link"),
            (cmd("fly", json!({})), "unknown command 'fly'"),
        ] {
            let e = parse(v.clone()).unwrap_err();
            assert!(e.contains(expect), "{v}: {e}");
        }
    }
}
