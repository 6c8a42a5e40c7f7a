//! The default dataset holds every fact of the project's fact sheet (`facts.md`): S1–S18 from
//! the two source articles and P1–P23 from the public record, with amounts (in their own
//! currency), dates, stakes, the people who found and lead the organisations, and the sources
//! that back them.

use alliances::model::edge_type_of;
use alliances::model::{Kind, Relationship};
use alliances::{Date, Graph, Value, default_graph};

const INNOVATIONSFR: &str = "innovationsfr-2025-03-21";
const BRIEF: &str = "brief-2025-10";

/// What one fact says about one relationship. Unset fields are not checked.
#[derive(Default)]
struct Expect {
    amount: Option<f64>,
    /// An amount in another currency than the US dollar: `amount` and its `currency`.
    amount_in: Option<(f64, &'static str)>,
    qualifier: Option<&'static str>,
    stake: Option<f64>,
    shares: Option<i64>,
    date: Option<&'static str>,
    end_date: Option<&'static str>,
    status: Option<&'static str>,
    role: Option<&'static str>,
    product_has: Option<&'static str>,
    agreement: Option<&'static str>,
    note_has: Option<&'static str>,
    sources: &'static [&'static str],
}

fn relationships(graph: &Graph, rel_type: &str, from: &str, to: &str) -> Vec<Relationship> {
    graph
        .edges_of_type(&edge_type_of(rel_type))
        .iter()
        .map(|e| graph.relationship(*e).unwrap())
        .filter(|r| r.from == from && r.to == to)
        .collect()
}

fn matches(rel: &Relationship, expect: &Expect) -> bool {
    let get = |key: &str| rel.properties.get(key);
    let text = |key: &str| get(key).and_then(|v| v.as_str());
    let date = |key: &str| get(key).and_then(Value::as_date).map(|x| x.to_string());
    expect
        .amount
        .is_none_or(|a| get("amount_usd").and_then(Value::as_f64) == Some(a))
        && expect.amount_in.is_none_or(|(a, c)| {
            get("amount").and_then(Value::as_f64) == Some(a) && text("currency") == Some(c)
        })
        && expect
            .qualifier
            .is_none_or(|q| text("amount_qualifier").unwrap_or("exact") == q)
        && expect
            .stake
            .is_none_or(|s| get("stake_pct").and_then(Value::as_f64) == Some(s))
        && expect
            .shares
            .is_none_or(|s| get("shares") == Some(&Value::Int(s)))
        && expect
            .date
            .is_none_or(|d| date("date").as_deref() == Some(d))
        && expect
            .end_date
            .is_none_or(|d| date("end_date").as_deref() == Some(d))
        && expect.status.is_none_or(|s| text("status") == Some(s))
        && expect
            .role
            .is_none_or(|r| text("role").is_some_and(|x| x.contains(r)))
        && expect
            .product_has
            .is_none_or(|p| text("product").is_some_and(|x| x.contains(p)))
        && expect
            .agreement
            .is_none_or(|a| text("agreement") == Some(a))
        && expect
            .note_has
            .is_none_or(|n| text("note").is_some_and(|x| x.contains(n)))
        && expect
            .sources
            .iter()
            .all(|s| rel.sources.iter().any(|x| x == s))
}

#[track_caller]
fn fact(graph: &Graph, label: &str, rel_type: &str, from: &str, to: &str, expect: Expect) {
    let found = relationships(graph, rel_type, from, to);
    assert!(
        found.iter().any(|r| matches(r, &expect)),
        "{label}: no {rel_type} {from} -> {to} as expected; found {found:#?}"
    );
}

/// The relationship types the facts are of, by their data-file names.
#[allow(non_upper_case_globals)]
mod types {
    pub const Acquires: &str = "acquires";
    pub const Founded: &str = "founded";
    pub const HoldsPosition: &str = "holds-position";
    pub const InvestsIn: &str = "invests-in";
    pub const MemberOf: &str = "member-of";
    pub const PartnersWith: &str = "partners-with";
    pub const Supplies: &str = "supplies";
}

fn entity_kind(graph: &Graph, id: &str) -> Kind {
    graph.entity(graph.node_by_id(id).unwrap()).unwrap().kind
}

#[test]
fn every_entity_of_the_fact_sheet_is_present_with_its_kind() {
    let graph = default_graph();
    let companies = [
        "nvidia",
        "xai",
        "microsoft",
        "ge-vernova",
        "nextera-energy",
        "openai",
        "oracle",
        "softbank",
        "amd",
        "intel",
        "coreweave",
        "meta",
        "amazon",
        "anthropic",
        "tesla",
        "windsurf",
        "google",
        "arm",
        "g42",
        "scale-ai",
        "asml",
        "mistral-ai",
    ];
    for id in companies {
        assert_eq!(entity_kind(&graph, id), Kind::new("company"), "{id}");
    }
    for id in ["blackrock", "gip", "mgx", "mubadala"] {
        assert_eq!(entity_kind(&graph, id), Kind::new("fund"), "{id}");
    }
    assert_eq!(
        entity_kind(&graph, "us-government"),
        Kind::new("government")
    );
    assert_eq!(entity_kind(&graph, "aip"), Kind::new("consortium"));
    assert_eq!(entity_kind(&graph, "stargate"), Kind::new("consortium"));
    for id in ["elon-musk", "jensen-huang", "sam-altman", "donald-trump"] {
        assert_eq!(entity_kind(&graph, id), Kind::new("person"), "{id}");
    }
    assert_eq!(graph.node_count(), 33);
    // Common names and aliases find them.
    for (name, id) in [
        ("NVIDIA Corporation", "nvidia"),
        ("Global Infrastructure Partners", "gip"),
        ("AI Infrastructure Partnership", "aip"),
        ("softbank group", "softbank"),
        ("Jen-Hsun Huang", "jensen-huang"),
        ("President Trump", "donald-trump"),
        ("ASML Holding", "asml"),
        ("Mistral", "mistral-ai"),
    ] {
        let nodes = graph.nodes_by_name(name);
        assert_eq!(nodes.len(), 1, "{name}");
        assert_eq!(graph.node_prop(nodes[0], "id"), Some(Value::from(id)));
    }
}

#[test]
fn every_relationship_cites_sources_that_exist() {
    let graph = default_graph();
    for edge in graph.edges() {
        let rel = graph.relationship(edge).unwrap();
        assert!(!rel.sources.is_empty(), "{rel:?}");
        for source in &rel.sources {
            assert!(graph.source(source).is_some(), "{source}");
        }
    }
}

#[test]
fn seed_article_facts() {
    let g = default_graph();
    use types::*;
    // S1: AIP launched in September 2024 by BlackRock, Microsoft, GIP and MGX.
    for founder in ["blackrock", "microsoft", "gip", "mgx"] {
        let expect = Expect {
            date: Some("2024-09"),
            role: Some("founding"),
            sources: &[INNOVATIONSFR],
            ..Default::default()
        };
        fact(&g, "S1", MemberOf, founder, "aip", expect);
    }
    assert_eq!(
        g.node_prop(g.node_by_id("mgx").unwrap(), "country"),
        Some(Value::from("AE"))
    );
    // S2: Nvidia and xAI joined AIP on 2025-03-20.
    for member in ["nvidia", "xai"] {
        fact(
            &g,
            "S2",
            MemberOf,
            member,
            "aip",
            Expect {
                date: Some("2025-03-20"),
                sources: &[INNOVATIONSFR],
                ..Default::default()
            },
        );
    }
    // S3: up to $100B, started with $30B.
    let aip = g.node_by_id("aip").unwrap();
    assert_eq!(g.node_prop(aip, "target_usd"), Some(Value::Float(100e9)));
    assert_eq!(
        g.node_prop(aip, "initial_capital_usd"),
        Some(Value::Float(30e9))
    );
    // S4: GE Vernova and NextEra Energy planned as energy partners.
    for partner in ["ge-vernova", "nextera-energy"] {
        fact(
            &g,
            "S4",
            MemberOf,
            partner,
            "aip",
            Expect {
                status: Some("planned"),
                role: Some("energy"),
                sources: &[INNOVATIONSFR],
                ..Default::default()
            },
        );
    }
    // S5: Stargate carried by OpenAI, Oracle and SoftBank, $500B goal.
    for member in ["openai", "oracle", "softbank"] {
        fact(
            &g,
            "S5",
            MemberOf,
            member,
            "stargate",
            Expect {
                sources: &[INNOVATIONSFR],
                ..Default::default()
            },
        );
    }
    assert_eq!(
        g.node_prop(g.node_by_id("stargate").unwrap(), "target_usd"),
        Some(Value::Float(500e9))
    );
    // S6: Grok and Copilot.
    let products = |id| g.node_prop(g.node_by_id(id).unwrap(), "products");
    assert!(matches!(products("xai"), Some(Value::List(p)) if p.contains(&Value::from("Grok"))));
    assert!(
        matches!(products("microsoft"), Some(Value::List(p)) if p.contains(&Value::from("Copilot")))
    );
    // S7: AMD granted OpenAI a warrant for up to 160 million shares.
    fact(
        &g,
        "S7",
        InvestsIn,
        "openai",
        "amd",
        Expect {
            shares: Some(160_000_000),
            sources: &[BRIEF, "amd-openai-2025-10-06"],
            ..Default::default()
        },
    );
    // S8: Nvidia, Microsoft, Oracle and SoftBank collaborate with Stargate.
    for member in ["nvidia", "microsoft", "oracle", "softbank"] {
        fact(
            &g,
            "S8",
            MemberOf,
            member,
            "stargate",
            Expect {
                sources: &[BRIEF],
                ..Default::default()
            },
        );
    }
    // S9: the US government invested $8.9B in Intel for 9.9%.
    fact(
        &g,
        "S9",
        InvestsIn,
        "us-government",
        "intel",
        Expect {
            amount: Some(8.9e9),
            stake: Some(9.9),
            sources: &[BRIEF],
            ..Default::default()
        },
    );
    // S10: SoftBank signed a $2B deal with Intel in August 2025.
    fact(
        &g,
        "S10",
        InvestsIn,
        "softbank",
        "intel",
        Expect {
            amount: Some(2e9),
            date: Some("2025-08-18"),
            sources: &[BRIEF],
            ..Default::default()
        },
    );
    // S11: CoreWeave contracts with OpenAI worth $22.4B in all.
    let total: f64 = relationships(&g, Supplies, "coreweave", "openai")
        .iter()
        .filter_map(|r| r.properties.get("amount_usd").and_then(Value::as_f64))
        .sum();
    assert!(
        (total - 22.4e9).abs() < 1.0,
        "CoreWeave-OpenAI total {total}"
    );
    // S12: Amazon's investment in Anthropic reached $8B over 2023-2024.
    let amazon: Vec<_> = relationships(&g, InvestsIn, "amazon", "anthropic");
    assert_eq!(
        amazon
            .iter()
            .filter_map(|r| r.properties.get("amount_usd").and_then(Value::as_f64))
            .sum::<f64>(),
        8e9
    );
    assert!(amazon.iter().all(|r| r.sources.iter().any(|s| s == BRIEF)));
    // S13: Windsurf-Google, $2.4B, July 2025: a licence and a transfer of staff.
    fact(
        &g,
        "S13",
        PartnersWith,
        "windsurf",
        "google",
        Expect {
            amount: Some(2.4e9),
            date: Some("2025-07-11"),
            agreement: Some("licence"),
            note_has: Some("staff"),
            sources: &[BRIEF],
            ..Default::default()
        },
    );
    // S14: CoreWeave, Meta, Amazon and Tesla named as players; cited on each entity.
    for id in ["coreweave", "meta", "amazon", "tesla"] {
        let entity = g.entity(g.node_by_id(id).unwrap()).unwrap();
        assert!(entity.sources.iter().any(|s| s == BRIEF), "{id}");
    }
}

#[test]
fn public_record_facts() {
    let g = default_graph();
    use types::*;
    // P1: Stargate equity funders and technology partners, 2025-01-21.
    for member in ["softbank", "openai", "oracle", "mgx"] {
        fact(
            &g,
            "P1",
            MemberOf,
            member,
            "stargate",
            Expect {
                date: Some("2025-01-21"),
                role: Some("equity funder"),
                sources: &["openai-2025-01-21"],
                ..Default::default()
            },
        );
    }
    for partner in ["arm", "microsoft", "nvidia", "oracle", "openai"] {
        fact(
            &g,
            "P1",
            MemberOf,
            partner,
            "stargate",
            Expect {
                role: Some("technology partner"),
                sources: &["openai-2025-01-21"],
                ..Default::default()
            },
        );
    }
    let stargate = g.node_by_id("stargate").unwrap();
    assert_eq!(
        g.node_prop(stargate, "initial_capital_usd"),
        Some(Value::Float(100e9))
    );
    // P2: BlackRock acquired GIP on 2024-10-01, about $12.5B: an acquisition, not an investment.
    assert!(relationships(&g, InvestsIn, "blackrock", "gip").is_empty());
    fact(
        &g,
        "P2",
        Acquires,
        "blackrock",
        "gip",
        Expect {
            amount: Some(12.5e9),
            qualifier: Some("about"),
            stake: Some(100.0),
            date: Some("2024-10-01"),
            status: Some("completed"),
            sources: &["blackrock-2024-10-01"],
            ..Default::default()
        },
    );
    // P3: MGX founded in 2024 by Mubadala and G42.
    for founder in ["mubadala", "g42"] {
        fact(
            &g,
            "P3",
            Founded,
            founder,
            "mgx",
            Expect {
                date: Some("2024"),
                sources: &["mgx-2024-03"],
                ..Default::default()
            },
        );
    }
    // P4: Microsoft invested $1.5B in G42.
    fact(
        &g,
        "P4",
        InvestsIn,
        "microsoft",
        "g42",
        Expect {
            amount: Some(1.5e9),
            date: Some("2024-04-16"),
            sources: &["microsoft-2024-04-16"],
            ..Default::default()
        },
    );
    // P5: Microsoft, about $13B since 2019, about 27%; OpenAI to buy $250B more of Azure.
    fact(
        &g,
        "P5",
        InvestsIn,
        "microsoft",
        "openai",
        Expect {
            amount: Some(13e9),
            qualifier: Some("about"),
            stake: Some(27.0),
            date: Some("2019"),
            sources: &["microsoft-openai-2025-10-28"],
            ..Default::default()
        },
    );
    fact(
        &g,
        "P5",
        Supplies,
        "microsoft",
        "openai",
        Expect {
            amount: Some(250e9),
            date: Some("2025-10-28"),
            product_has: Some("Azure"),
            sources: &["microsoft-openai-2025-10-28"],
            ..Default::default()
        },
    );
    // P6: Nvidia up to $100B in OpenAI as 10 GW of its systems are deployed.
    fact(
        &g,
        "P6",
        InvestsIn,
        "nvidia",
        "openai",
        Expect {
            amount: Some(100e9),
            qualifier: Some("up-to"),
            date: Some("2025-09-22"),
            sources: &["nvidia-openai-2025-09-22"],
            ..Default::default()
        },
    );
    fact(
        &g,
        "P6",
        Supplies,
        "nvidia",
        "openai",
        Expect {
            date: Some("2025-09-22"),
            product_has: Some("10 GW"),
            sources: &["nvidia-openai-2025-09-22"],
            ..Default::default()
        },
    );
    // P7: AMD GPUs (6 GW) for OpenAI, and the warrant.
    fact(
        &g,
        "P7",
        Supplies,
        "amd",
        "openai",
        Expect {
            date: Some("2025-10-06"),
            product_has: Some("6 GW"),
            sources: &["amd-openai-2025-10-06"],
            ..Default::default()
        },
    );
    fact(
        &g,
        "P7",
        InvestsIn,
        "openai",
        "amd",
        Expect {
            shares: Some(160_000_000),
            date: Some("2025-10-06"),
            ..Default::default()
        },
    );
    // P8: Nvidia $5B in Intel at $23.28 a share.
    fact(
        &g,
        "P8",
        InvestsIn,
        "nvidia",
        "intel",
        Expect {
            amount: Some(5e9),
            date: Some("2025-09-18"),
            status: Some("agreed"),
            sources: &["nvidia-intel-2025-09-18"],
            ..Default::default()
        },
    );
    let nvidia_intel = &relationships(&g, InvestsIn, "nvidia", "intel")[0];
    assert_eq!(
        nvidia_intel.extra.get("price_per_share_usd"),
        Some(&Value::Float(23.28))
    );
    // P9: SoftBank $2B in Intel at $23 a share.
    fact(
        &g,
        "P9",
        InvestsIn,
        "softbank",
        "intel",
        Expect {
            amount: Some(2e9),
            date: Some("2025-08-18"),
            sources: &["softbank-intel-2025-08-18"],
            ..Default::default()
        },
    );
    // P10: the US government $8.9B in Intel, about 9.9%, 2025-08-22.
    fact(
        &g,
        "P10",
        InvestsIn,
        "us-government",
        "intel",
        Expect {
            amount: Some(8.9e9),
            stake: Some(9.9),
            date: Some("2025-08-22"),
            sources: &["intel-2025-08-22"],
            ..Default::default()
        },
    );
    // P11: CoreWeave-OpenAI contracts $11.9B, $4B, $6.5B; $350M of CoreWeave stock to OpenAI.
    const CONTRACTS: [(f64, &str, &[&str]); 3] = [
        (11.9e9, "2025-03-10", &["coreweave-2025-03-10", BRIEF]),
        (4e9, "2025-05", &["coreweave-2025-05", BRIEF]),
        (6.5e9, "2025-09-25", &["coreweave-2025-09-25", BRIEF]),
    ];
    for (amount, date, sources) in CONTRACTS {
        fact(
            &g,
            "P11",
            Supplies,
            "coreweave",
            "openai",
            Expect {
                amount: Some(amount),
                date: Some(date),
                sources,
                ..Default::default()
            },
        );
    }
    fact(
        &g,
        "P11",
        InvestsIn,
        "openai",
        "coreweave",
        Expect {
            amount: Some(350e6),
            sources: &["coreweave-2025-03-10"],
            ..Default::default()
        },
    );
    // P12: CoreWeave $14.2B contract with Meta.
    fact(
        &g,
        "P12",
        Supplies,
        "coreweave",
        "meta",
        Expect {
            amount: Some(14.2e9),
            date: Some("2025-09-30"),
            sources: &["coreweave-2025-09-30"],
            ..Default::default()
        },
    );
    // P13: Amazon $4B + $4B in Anthropic; AWS primary cloud and training partner.
    fact(
        &g,
        "P13",
        InvestsIn,
        "amazon",
        "anthropic",
        Expect {
            amount: Some(4e9),
            date: Some("2023-09-25"),
            sources: &["amazon-2023-09-25"],
            ..Default::default()
        },
    );
    fact(
        &g,
        "P13",
        InvestsIn,
        "amazon",
        "anthropic",
        Expect {
            amount: Some(4e9),
            date: Some("2024-11-22"),
            sources: &["amazon-2024-11-22"],
            ..Default::default()
        },
    );
    fact(
        &g,
        "P13",
        Supplies,
        "amazon",
        "anthropic",
        Expect {
            product_has: Some("primary cloud"),
            sources: &["amazon-2024-11-22"],
            ..Default::default()
        },
    );
    // P14: Google $2B (2023-10) and $1B (2025-01) in Anthropic.
    fact(
        &g,
        "P14",
        InvestsIn,
        "google",
        "anthropic",
        Expect {
            amount: Some(2e9),
            date: Some("2023-10-27"),
            sources: &["reported-2023-10-27"],
            ..Default::default()
        },
    );
    fact(
        &g,
        "P14",
        InvestsIn,
        "google",
        "anthropic",
        Expect {
            amount: Some(1e9),
            date: Some("2025-01-22"),
            sources: &["reported-2025-01-22"],
            ..Default::default()
        },
    );
    // P15: Google paid $2.4B for a non-exclusive licence to Windsurf's technology and hired its
    // chief executive and staff: a licence, not a supply of goods.
    assert!(relationships(&g, Supplies, "windsurf", "google").is_empty());
    fact(
        &g,
        "P15",
        PartnersWith,
        "windsurf",
        "google",
        Expect {
            amount: Some(2.4e9),
            date: Some("2025-07-11"),
            agreement: Some("licence"),
            product_has: Some("non-exclusive"),
            note_has: Some("hired"),
            sources: &["reported-2025-07-11"],
            ..Default::default()
        },
    );
    // P16: Meta about $14.3B in Scale AI for 49%.
    fact(
        &g,
        "P16",
        InvestsIn,
        "meta",
        "scale-ai",
        Expect {
            amount: Some(14.3e9),
            qualifier: Some("about"),
            stake: Some(49.0),
            date: Some("2025-06-12"),
            sources: &["meta-scale-2025-06-12"],
            ..Default::default()
        },
    );
    // P17: Microsoft up to $5B and Nvidia up to $10B in Anthropic; $30B of Azure compute.
    const P17: &str = "microsoft-nvidia-anthropic-2025-11-18";
    fact(
        &g,
        "P17",
        InvestsIn,
        "microsoft",
        "anthropic",
        Expect {
            amount: Some(5e9),
            qualifier: Some("up-to"),
            date: Some("2025-11-18"),
            sources: &[P17],
            ..Default::default()
        },
    );
    fact(
        &g,
        "P17",
        InvestsIn,
        "nvidia",
        "anthropic",
        Expect {
            amount: Some(10e9),
            qualifier: Some("up-to"),
            date: Some("2025-11-18"),
            sources: &[P17],
            ..Default::default()
        },
    );
    fact(
        &g,
        "P17",
        Supplies,
        "microsoft",
        "anthropic",
        Expect {
            amount: Some(30e9),
            product_has: Some("Azure"),
            sources: &[P17],
            ..Default::default()
        },
    );
    // P18: SoftBank led OpenAI's $40B round, committing up to $30B.
    fact(
        &g,
        "P18",
        InvestsIn,
        "softbank",
        "openai",
        Expect {
            amount: Some(30e9),
            qualifier: Some("up-to"),
            date: Some("2025-03-31"),
            sources: &["openai-softbank-2025-03-31"],
            ..Default::default()
        },
    );
}

/// Whether a tie of `rel_type` from `from` to `to` with `role` holds on `day`.
fn holds_on(graph: &Graph, rel_type: &str, from: &str, to: &str, role: &str, day: &str) -> bool {
    let day: Date = day.parse().unwrap();
    graph
        .edges_of_type(&edge_type_of(rel_type))
        .iter()
        .filter(|e| {
            let r = graph.relationship(**e).unwrap();
            r.from == from
                && r.to == to
                && r.properties.get("role").and_then(|v| v.as_str()) == Some(role)
        })
        .any(|e| graph.edge_standing(*e, day).holds())
}

#[test]
fn people_facts() {
    let g = default_graph();
    use types::*;
    // S15, P19: Elon Musk founded xAI, announced 2023-07-12; he joined AIP with xAI.
    fact(
        &g,
        "P19",
        Founded,
        "elon-musk",
        "xai",
        Expect {
            date: Some("2023-07-12"),
            sources: &["xai-2023-07-12", INNOVATIONSFR],
            ..Default::default()
        },
    );
    fact(
        &g,
        "S15",
        MemberOf,
        "xai",
        "aip",
        Expect {
            date: Some("2025-03-20"),
            note_has: Some("Musk"),
            sources: &[INNOVATIONSFR],
            ..Default::default()
        },
    );
    // The article has xAI join AIP, not Musk himself.
    assert!(relationships(&g, MemberOf, "elon-musk", "aip").is_empty());
    let musk = g.entity(g.node_by_id("elon-musk").unwrap()).unwrap();
    assert!(
        musk.note
            .as_deref()
            .is_some_and(|n| n.contains("critic of Stargate"))
    );
    // S16, P20: Jensen Huang co-founded Nvidia in 1993 and has led it since.
    fact(
        &g,
        "P20",
        Founded,
        "jensen-huang",
        "nvidia",
        Expect {
            date: Some("1993"),
            role: Some("co-founder"),
            sources: &["nvidia-corporate-history"],
            ..Default::default()
        },
    );
    fact(
        &g,
        "S16",
        HoldsPosition,
        "jensen-huang",
        "nvidia",
        Expect {
            date: Some("1993"),
            role: Some("chief-executive"),
            sources: &["nvidia-corporate-history", INNOVATIONSFR],
            ..Default::default()
        },
    );
    assert!(holds_on(
        &g,
        HoldsPosition,
        "jensen-huang",
        "nvidia",
        "chief-executive",
        "2025-03-21"
    ));
    // S17, P21: Sam Altman chief executive of OpenAI from 2019, removed on 2023-11-17, back on
    // 2023-11-29: two spans of one post.
    fact(
        &g,
        "P21",
        HoldsPosition,
        "sam-altman",
        "openai",
        Expect {
            date: Some("2019"),
            end_date: Some("2023-11-17"),
            role: Some("chief-executive"),
            sources: &["openai-2023-11-17"],
            ..Default::default()
        },
    );
    fact(
        &g,
        "S17",
        HoldsPosition,
        "sam-altman",
        "openai",
        Expect {
            date: Some("2023-11-29"),
            role: Some("chief-executive"),
            sources: &["openai-2023-11-29", INNOVATIONSFR],
            ..Default::default()
        },
    );
    let ceo = |day| {
        holds_on(
            &g,
            HoldsPosition,
            "sam-altman",
            "openai",
            "chief-executive",
            day,
        )
    };
    assert!(ceo("2023-11-16"));
    assert!(!ceo("2023-11-17"));
    assert!(!ceo("2023-11-28"));
    assert!(ceo("2023-11-29"));
    assert!(ceo("2025-03-21"));
    // S18, P22: Donald Trump US president from 2025-01-20; he announced Stargate at the White
    // House on 2025-01-21 and his administration backs it, kept in notes: no tie type is
    // "backs".
    fact(
        &g,
        "P22",
        HoldsPosition,
        "donald-trump",
        "us-government",
        Expect {
            date: Some("2025-01-20"),
            role: Some("president"),
            sources: &["whitehouse-2025-01-21"],
            ..Default::default()
        },
    );
    assert!(!holds_on(
        &g,
        HoldsPosition,
        "donald-trump",
        "us-government",
        "president",
        "2025-01-19"
    ));
    let stargate = g.entity(g.node_by_id("stargate").unwrap()).unwrap();
    assert!(
        stargate
            .note
            .as_deref()
            .is_some_and(|n| n.contains("Donald Trump"))
    );
    for source in [BRIEF, INNOVATIONSFR, "whitehouse-2025-01-21"] {
        assert!(stargate.sources.iter().any(|s| s == source), "{source}");
    }
}

#[test]
fn european_deal_in_euros() {
    let g = default_graph();
    use types::*;
    // P23: ASML EUR 1.3B in Mistral AI's EUR 1.7B Series C, about 11%, largest shareholder;
    // a long-term collaboration. The amount stays in euros: no dollar amount is made up.
    const P23: &str = "asml-mistral-2025-09-09";
    fact(
        &g,
        "P23",
        InvestsIn,
        "asml",
        "mistral-ai",
        Expect {
            amount_in: Some((1.3e9, "EUR")),
            stake: Some(11.0),
            date: Some("2025-09-09"),
            role: Some("largest shareholder"),
            note_has: Some("about 11%"),
            sources: &[P23],
            ..Default::default()
        },
    );
    let investment = &relationships(&g, InvestsIn, "asml", "mistral-ai")[0];
    assert_eq!(investment.properties.get("amount_usd"), None);
    assert_eq!(
        investment.extra.get("round_eur"),
        Some(&Value::Float(1.7e9))
    );
    fact(
        &g,
        "P23",
        PartnersWith,
        "asml",
        "mistral-ai",
        Expect {
            date: Some("2025-09-09"),
            note_has: Some("long-term collaboration"),
            sources: &[P23],
            ..Default::default()
        },
    );
    let country = |id| g.node_prop(g.node_by_id(id).unwrap(), "country");
    assert_eq!(country("asml"), Some(Value::from("NL")));
    assert_eq!(country("mistral-ai"), Some(Value::from("FR")));
}
