//! Pass 3: the dependency graph of a cluster.
//!
//! Nodes are the things an upgrade must respect: items (hosts and components), fault domains,
//! sites, quorum groups, disruption budgets, anti-affinity groups and order rules. Edges say who
//! belongs to what and what must come first. Workloads are not nodes of their own: a group that
//! counts a workload points at the host carrying it, labelled with the workload, because hosts
//! are what waves take down.
//!
//! petgraph's indices stay inside this module; callers see typed ids.

pub mod dot;
pub mod order;

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{
    AntiAffinityId, BudgetId, Cluster, FaultDomainId, HostId, ItemId, MemberId, QuorumGroupId, SiteId,
    WorkloadId,
};

/// A node of the dependency graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A host or component.
    Item(ItemId),
    /// A fault domain.
    FaultDomain(FaultDomainId),
    /// A site.
    Site(SiteId),
    /// A quorum group.
    QuorumGroup(QuorumGroupId),
    /// A disruption budget.
    Budget(BudgetId),
    /// An anti-affinity group.
    AntiAffinity(AntiAffinityId),
    /// An order rule, by its position in the description.
    Order(usize),
}

/// An edge of the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    /// Host to its fault domain.
    InFaultDomain,
    /// Fault domain to its site.
    InSite,
    /// Group to a member item, directly (`votes`) or through the workloads it carries.
    Counts {
        /// Votes of a host or component member.
        votes: u64,
        /// Workloads on the item that belong to the group.
        workloads: Vec<WorkloadId>,
    },
    /// Item to an order rule it precedes, or rule to an item that follows it.
    Precedes,
}

/// The dependency graph of a cluster.
pub struct ClusterGraph {
    graph: DiGraph<Node, Edge>,
}

impl ClusterGraph {
    /// Builds the graph of `cluster`.
    pub fn new(cluster: &Cluster) -> Self {
        let mut graph = DiGraph::new();
        let sites: Vec<NodeIndex> = (0..cluster.sites.len())
            .map(|i| graph.add_node(Node::Site(SiteId::from_index(i))))
            .collect();
        let domains: Vec<NodeIndex> = (0..cluster.fault_domains.len())
            .map(|i| graph.add_node(Node::FaultDomain(FaultDomainId::from_index(i))))
            .collect();
        for (i, fd) in cluster.fault_domains.iter().enumerate() {
            if let Some(site) = fd.site {
                graph.add_edge(domains[i], sites[site.index()], Edge::InSite);
            }
        }
        let hosts: Vec<NodeIndex> = cluster
            .host_ids()
            .map(|h| graph.add_node(Node::Item(ItemId::Host(h))))
            .collect();
        for h in cluster.host_ids() {
            let fd = cluster.host(h).fault_domain;
            graph.add_edge(hosts[h.index()], domains[fd.index()], Edge::InFaultDomain);
        }
        let components: Vec<NodeIndex> = cluster
            .component_ids()
            .map(|c| graph.add_node(Node::Item(ItemId::Component(c))))
            .collect();
        let item_node = |item: ItemId| match item {
            ItemId::Host(h) => hosts[h.index()],
            ItemId::Component(c) => components[c.index()],
        };

        for (i, group) in cluster.quorum_groups.iter().enumerate() {
            let node = graph.add_node(Node::QuorumGroup(QuorumGroupId::from_index(i)));
            let mut counted: BTreeMap<ItemId, (u64, Vec<WorkloadId>)> = BTreeMap::new();
            for member in &group.members {
                match member.id {
                    MemberId::Host(h) => counted.entry(ItemId::Host(h)).or_default().0 += member.votes,
                    MemberId::Component(c) => {
                        counted.entry(ItemId::Component(c)).or_default().0 += member.votes
                    }
                    MemberId::Workload(w) => counted
                        .entry(ItemId::Host(cluster.workload(w).host))
                        .or_default()
                        .1
                        .push(w),
                }
            }
            for (item, (votes, workloads)) in counted {
                graph.add_edge(node, item_node(item), Edge::Counts { votes, workloads });
            }
        }
        let add_workload_group = |graph: &mut DiGraph<Node, Edge>, node: Node, workloads: &[WorkloadId]| {
            let node = graph.add_node(node);
            let mut by_host: BTreeMap<HostId, Vec<WorkloadId>> = BTreeMap::new();
            for &w in workloads {
                by_host.entry(cluster.workload(w).host).or_default().push(w);
            }
            for (host, workloads) in by_host {
                graph.add_edge(node, hosts[host.index()], Edge::Counts { votes: 0, workloads });
            }
        };
        for (i, budget) in cluster.budgets.iter().enumerate() {
            add_workload_group(
                &mut graph,
                Node::Budget(BudgetId::from_index(i)),
                &budget.workloads,
            );
        }
        for (i, group) in cluster.anti_affinity.iter().enumerate() {
            add_workload_group(
                &mut graph,
                Node::AntiAffinity(AntiAffinityId::from_index(i)),
                &group.workloads,
            );
        }
        for (i, rule) in cluster.orders.iter().enumerate() {
            let node = graph.add_node(Node::Order(i));
            for &item in &rule.before {
                graph.add_edge(item_node(item), node, Edge::Precedes);
            }
            for &item in &rule.after {
                graph.add_edge(node, item_node(item), Edge::Precedes);
            }
        }
        ClusterGraph { graph }
    }

    /// The nodes, in insertion order: sites, fault domains, hosts, components, groups, rules.
    pub fn nodes(&self) -> impl Iterator<Item = Node> + '_ {
        self.graph.node_indices().map(|n| self.graph[n])
    }

    /// The edges as (from, to, edge), in insertion order.
    pub fn edges(&self) -> impl Iterator<Item = (Node, Node, &Edge)> + '_ {
        self.graph
            .raw_edges()
            .iter()
            .map(|e| (self.graph[e.source()], self.graph[e.target()], &e.weight))
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }
}

/// The precedence graph of a cluster's order rules.
pub fn order_graph(cluster: &Cluster) -> order::OrderGraph {
    order::OrderGraph::new(
        cluster
            .orders
            .iter()
            .map(|r| (r.before.as_slice(), r.after.as_slice())),
    )
}
