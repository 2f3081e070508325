//! iamsim's dev-only test kit: the one copy of what the tests, the fuzz checks and the
//! benches of every package share. Never a dependency of shipped code.
//!
//! * [`oracle`]: the anchored-regex oracle for IAM wildcards;
//! * [`rng`] and [`generate`]: the seeded generator and near-matching texts;
//! * [`reference`](mod@reference): the deliberately naive reference evaluator;
//! * [`corpus`]: the conformance corpus and its loader;
//! * [`surface`]: the [`Surface`] trait and the surfaces the corpus runs on;
//! * [`fuzz`]: the properties the fuzz targets check (and the seed replay runs).

pub mod corpus;
pub mod fuzz;
pub mod generate;
pub mod oracle;
pub mod reference;
pub mod rng;
pub mod surface;

pub use rng::Rng;
pub use surface::Surface;
