//! Graphviz DOT rendering of the dependency graph, hosts clustered by fault domain and site.
//!
//! Node ids are generated (`h0`, `fd1`, …) so that names, which may contain any printable
//! character, only ever appear inside escaped label strings.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::graph::{ClusterGraph, Edge, Node};
use crate::model::resources::show;
use crate::model::{Cluster, FaultDomainId, HostId, HostState, ItemId, Resource, SiteId};

/// Escapes text for a double-quoted DOT string.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn id(node: Node) -> String {
    match node {
        Node::Item(ItemId::Host(h)) => format!("h{}", h.0),
        Node::Item(ItemId::Component(c)) => format!("c{}", c.0),
        Node::FaultDomain(f) => format!("fd{}", f.0),
        Node::Site(s) => format!("s{}", s.0),
        Node::QuorumGroup(q) => format!("q{}", q.0),
        Node::Budget(b) => format!("b{}", b.0),
        Node::AntiAffinity(a) => format!("a{}", a.0),
        Node::Order(o) => format!("o{o}"),
    }
}

fn host_node(cluster: &Cluster, h: HostId) -> String {
    let host = cluster.host(h);
    let mut label = format!(
        "{}\\n{}, {}",
        escape(&host.name),
        show(host.capacity[Resource::Cpu], Resource::Cpu),
        show(host.capacity[Resource::Memory], Resource::Memory)
    );
    let style = match host.state {
        HostState::Ready => "",
        HostState::Down | HostState::Maintenance => {
            let _ = write!(label, "\\n({})", host.state.name());
            ", style=dashed, color=gray50, fontcolor=gray50"
        }
    };
    format!(
        "{} [shape=box, label=\"{label}\"{style}];",
        id(Node::Item(ItemId::Host(h)))
    )
}

/// Renders the graph of `cluster` as DOT.
pub fn render(cluster: &Cluster, graph: &ClusterGraph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", escape(&cluster.name));
    let _ = writeln!(
        out,
        "  graph [label=\"{} ({})\", labelloc=t, rankdir=LR, compound=true, fontname=\"Helvetica\"];",
        escape(&cluster.name),
        cluster.platform.name()
    );
    out.push_str(
        "  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );

    // Containment comes from the graph's own edges.
    let mut domain_hosts: BTreeMap<FaultDomainId, Vec<HostId>> = BTreeMap::new();
    let mut site_domains: BTreeMap<Option<SiteId>, Vec<FaultDomainId>> = BTreeMap::new();
    let mut in_site = std::collections::HashSet::new();
    for (from, to, edge) in graph.edges() {
        match (from, to, edge) {
            (Node::Item(ItemId::Host(h)), Node::FaultDomain(fd), Edge::InFaultDomain) => {
                domain_hosts.entry(fd).or_default().push(h)
            }
            (Node::FaultDomain(fd), Node::Site(s), Edge::InSite) => {
                in_site.insert(fd);
                site_domains.entry(Some(s)).or_default().push(fd)
            }
            _ => {}
        }
    }
    for node in graph.nodes() {
        if let Node::FaultDomain(fd) = node
            && !in_site.contains(&fd)
        {
            site_domains.entry(None).or_default().push(fd);
        }
    }

    for (site, domains) in &site_domains {
        let indent = if let Some(s) = site {
            let _ = writeln!(
                out,
                "  subgraph cluster_s{} {{\n    label=\"site {}\"; style=dashed;",
                s.0,
                escape(&cluster.sites[s.index()].name)
            );
            "    "
        } else {
            "  "
        };
        for &fd in domains {
            let domain = cluster.fault_domain(fd);
            let hosts = domain_hosts.get(&fd).map(Vec::as_slice).unwrap_or(&[]);
            if domain.implicit {
                for &h in hosts {
                    let _ = writeln!(out, "{indent}{}", host_node(cluster, h));
                }
                continue;
            }
            let _ = writeln!(
                out,
                "{indent}subgraph cluster_fd{} {{\n{indent}  label=\"fault domain {}\"; style=rounded;",
                fd.0,
                escape(&domain.name)
            );
            for &h in hosts {
                let _ = writeln!(out, "{indent}  {}", host_node(cluster, h));
            }
            let _ = writeln!(out, "{indent}}}");
        }
        if site.is_some() {
            out.push_str("  }\n");
        }
    }

    for node in graph.nodes() {
        let line = match node {
            Node::Item(ItemId::Component(c)) => {
                let component = cluster.component(c);
                format!(
                    "[shape=component, label=\"{}\\n{}\"]",
                    escape(&component.name),
                    if component.exclusive {
                        "exclusive"
                    } else {
                        "shares waves"
                    }
                )
            }
            Node::QuorumGroup(q) => {
                let group = &cluster.quorum_groups[q.index()];
                format!(
                    "[shape=hexagon, style=filled, fillcolor=lightyellow, label=\"quorum {}\\n{} of {} votes\"]",
                    escape(&group.name),
                    group.quorum,
                    group.total_votes()
                )
            }
            Node::Budget(b) => {
                let budget = &cluster.budgets[b.index()];
                format!(
                    "[shape=octagon, style=filled, fillcolor=lightblue, label=\"budget {}\\nat most {} of {} down\"]",
                    escape(&budget.name),
                    budget.max_down(),
                    budget.workloads.len()
                )
            }
            Node::AntiAffinity(a) => {
                let group = &cluster.anti_affinity[a.index()];
                format!(
                    "[shape=diamond, style=filled, fillcolor=mistyrose, label=\"anti-affinity {}\\napart by {}{}\"]",
                    escape(&group.name),
                    group.scope.name(),
                    if group.mandatory { "" } else { " (should)" }
                )
            }
            Node::Order(o) => format!("[shape=point, xlabel=\"order #{}\"]", o + 1),
            _ => continue,
        };
        let _ = writeln!(out, "  {} {line};", id(node));
    }

    for (from, to, edge) in graph.edges() {
        let attributes = match edge {
            Edge::InFaultDomain | Edge::InSite => continue,
            Edge::Precedes => "[color=firebrick, penwidth=2]".to_string(),
            Edge::Counts { votes, workloads } => {
                let mut parts = Vec::new();
                if *votes > 0 && matches!(from, Node::QuorumGroup(_)) {
                    parts.push(format!("{votes} vote{}", if *votes == 1 { "" } else { "s" }));
                }
                let names: Vec<String> = workloads
                    .iter()
                    .take(3)
                    .map(|w| escape(&cluster.workload(*w).name))
                    .collect();
                if !names.is_empty() {
                    let more = workloads.len().saturating_sub(names.len());
                    let mut text = names.join(", ");
                    if more > 0 {
                        let _ = write!(text, " +{more} more");
                    }
                    parts.push(text);
                }
                format!("[style=dashed, label=\"{}\"]", parts.join("\\n"))
            }
        };
        let _ = writeln!(out, "  {} -> {} {attributes};", id(from), id(to));
    }
    out.push_str("}\n");
    out
}
