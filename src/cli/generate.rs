//! `quorate generate` (hidden): writes a benchmark cluster from the shared trace.
//!
//! The trace's files are read here, not by the generator, like every other file. A missing
//! trace is an input error (exit 2) that says where the files are expected and why.

use std::path::Path;

use quorate::generate::{Recipe, Trace, generate};

use super::args::GenerateArgs;
use super::{CliError, Exit, output};

/// Runs `quorate generate`.
pub fn run(args: &GenerateArgs) -> Result<Exit, CliError> {
    let folder = Path::new(&args.trace);
    let read = |file: &str| {
        let path = folder.join(file);
        std::fs::read_to_string(&path).map_err(|e| CliError::Usage {
            message: format!("cannot read the trace file {}: {e}", path.display()),
            help: "the generator draws host and workload sizes from the Alibaba GPU trace (2023); \
                   pass its folder with --trace DIR (see ../shared/data/SOURCES.md)"
                .to_string(),
        })
    };
    let (nodes, pods) = (read(Trace::FILES[0])?, read(Trace::FILES[1])?);
    let trace = Trace::parse(&nodes, &pods).map_err(|e| CliError::Usage {
        message: format!("the trace in {} cannot be used: {e}", folder.display()),
        help: "the node and pod lists need a header with cpu_milli and memory_mib columns".to_string(),
    })?;
    let recipe = Recipe {
        shape: args.shape,
        hosts: args.hosts,
        seed: args.seed,
    };
    output::emit(&generate(&recipe, &trace), args.out.as_deref().map(Path::new))?;
    Ok(Exit::Ok)
}
