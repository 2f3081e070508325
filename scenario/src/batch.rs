//! The batch evaluator: request rows in, responses out, in input order, in parallel.
//!
//! A [`Lane`] is one worker's evaluation state — a prepared-request cache and a
//! scratch [`Request`] — so that evaluating a row allocates nothing once its
//! (principal, target, context keys) shape has been seen. A [`BatchEvaluator`] keeps
//! one lane per running worker and cuts a slice of rows into contiguous runs, one
//! per output sink, so that concatenating the sinks in order gives input order.
//! `iamsim batch`, `matrix`, `check` and `bench` evaluate through it, and so can any
//! other front end (a Python binding, an Arrow reader): parse rows however you like,
//! hand them over as [`RowRef`]s.
//!
//! ```
//! use iamsim_scenario::{BatchEvaluator, RequestRow, Scenario};
//! # let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
//! let scenario = Scenario::load(&root.join("fixtures/connect/scenario.json")).unwrap();
//! let rows = vec![RequestRow {
//!     principal: "developer".into(),
//!     action: "s3:GetObject".into(),
//!     resource: "arn:aws:s3:::connect-recordings-mycc/x.wav".into(),
//!     ..RequestRow::default()
//! }];
//! let decisions = BatchEvaluator::new(&scenario)
//!     .map(&rows, |lane, row| lane.evaluate(row.as_row_ref()).map(|e| e.response.decision));
//! // The recordings-bucket lock denies the developer despite its `s3:*`.
//! assert_eq!(decisions[0].as_ref().unwrap().as_str(), "explicitDeny");
//! ```

use crate::world::{PreparedRequests, RequestRow, RowError, Scenario, UnknownAction};
use iamsim_catalog::Catalog;
use iamsim_engine::request::{Context, Request};
use iamsim_engine::{CompiledPolicySet, Response};
use rayon::prelude::*;
use std::sync::Mutex;

/// The explicit context of a borrowed row. It wins over every derived key.
#[derive(Debug, Clone, Copy)]
pub enum RowContext<'a> {
    /// Single string values, as read from a JSON line or a CSV cell: evaluated
    /// through the lane's prepared-request cache (the common, fastest case).
    Pairs(&'a [(&'a str, &'a str)]),
    /// Any context, multivalued keys included.
    Full(&'a Context),
}

/// One request row, borrowed: the principal by scenario name or ARN.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    /// Principal name or ARN.
    pub principal: &'a str,
    /// Action, e.g. `s3:GetObject`.
    pub action: &'a str,
    /// Resource ARN or `*`.
    pub resource: &'a str,
    /// Explicit context.
    pub context: RowContext<'a>,
}

impl RequestRow {
    /// This row, borrowed for a [`Lane`].
    pub fn as_row_ref(&self) -> RowRef<'_> {
        RowRef {
            principal: &self.principal,
            action: &self.action,
            resource: &self.resource,
            context: RowContext::Full(&self.context),
        }
    }
}

/// One evaluated row.
#[derive(Debug)]
pub struct Evaluated<'s, 'l> {
    /// The compiled policies the row was evaluated against (for statement names and
    /// explanations).
    pub set: &'s CompiledPolicySet,
    /// The request as evaluated, derived context included.
    pub request: &'l Request,
    /// The decision and why.
    pub response: Response<'s>,
}

/// One worker's evaluation state; see the [module docs](self).
#[derive(Debug)]
pub struct Lane<'s> {
    scenario: &'s Scenario,
    prepared: PreparedRequests,
    scratch: Request,
    /// With a catalog, rows whose action AWS does not have are errors.
    catalog: Option<&'s Catalog>,
    /// Actions already checked against the catalog (bounded): a catalog lookup costs
    /// far more than a row's evaluation, and rows repeat a few actions.
    known_actions: foldhash::HashMap<Box<str>, Option<Box<UnknownAction>>>,
}

/// Actions a lane remembers having checked; past it, each row is looked up.
const KNOWN_ACTIONS_LIMIT: usize = 4096;

impl<'s> Lane<'s> {
    /// A lane with an empty prepared-request cache of the default size.
    pub fn new(scenario: &'s Scenario) -> Self {
        Self::with_cache(scenario, PreparedRequests::default())
    }

    /// A lane using `prepared` as its cache (e.g. [`PreparedRequests::with_limit`]).
    pub fn with_cache(scenario: &'s Scenario, prepared: PreparedRequests) -> Self {
        Lane {
            scenario,
            prepared,
            scratch: Request::new("", "", ""),
            catalog: None,
            known_actions: foldhash::HashMap::default(),
        }
    }

    /// Checks every row's action against `catalog`: an action AWS does not have (or a
    /// wildcard) is a [`RowError`] naming the nearest real ones.
    pub fn with_catalog(mut self, catalog: &'s Catalog) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// `Ok` when the catalog (if any) knows `action`.
    fn check_action(&mut self, action: &str) -> Result<(), RowError> {
        let Some(catalog) = self.catalog else {
            return Ok(());
        };
        if let Some(verdict) = self.known_actions.get(action) {
            return match verdict {
                None => Ok(()),
                Some(unknown) => Err(RowError::UnknownAction(unknown.clone())),
            };
        }
        if action.contains(['*', '?']) {
            return Err(RowError::WildcardAction(action.into()));
        }
        // The suggestions cost a search of the whole catalog (tens of µs): found once
        // per action and remembered with the verdict.
        let verdict = catalog.action(action).is_none().then(|| {
            Box::new(UnknownAction {
                action: action.to_owned(),
                suggestions: catalog.suggest(action),
                catalog: catalog.version().to_string(),
            })
        });
        let result = match &verdict {
            None => Ok(()),
            Some(unknown) => Err(RowError::UnknownAction(unknown.clone())),
        };
        if self.known_actions.len() < KNOWN_ACTIONS_LIMIT {
            self.known_actions.insert(action.into(), verdict);
        }
        result
    }

    /// The scenario this lane evaluates against.
    pub fn scenario(&self) -> &'s Scenario {
        self.scenario
    }

    /// Builds the request for `row` (derived context first, the row's own context
    /// winning) and returns it with the policy set it is evaluated against.
    pub fn prepare(
        &mut self,
        row: RowRef<'_>,
    ) -> Result<(&'s CompiledPolicySet, &Request), RowError> {
        self.check_action(row.action)?;
        let scenario = self.scenario;
        match row.context {
            RowContext::Full(context) if !context.is_empty() => {
                let set = scenario.prepare_parts(
                    row.principal,
                    row.action,
                    row.resource,
                    context,
                    &mut self.scratch,
                )?;
                Ok((set, &self.scratch))
            }
            RowContext::Full(_) => scenario.prepare_plain(
                &mut self.prepared,
                row.principal,
                row.action,
                row.resource,
                &[],
            ),
            RowContext::Pairs(pairs) => scenario.prepare_plain(
                &mut self.prepared,
                row.principal,
                row.action,
                row.resource,
                pairs,
            ),
        }
    }

    /// Evaluates one row.
    pub fn evaluate(&mut self, row: RowRef<'_>) -> Result<Evaluated<'s, '_>, RowError> {
        let (set, request) = self.prepare(row)?;
        let response = set.evaluate(request);
        Ok(Evaluated {
            set,
            request,
            response,
        })
    }
}

/// Evaluates slices of rows in parallel on the current rayon pool, keeping one
/// [`Lane`] per running worker between calls; see the [module docs](self).
#[derive(Debug)]
pub struct BatchEvaluator<'s> {
    scenario: &'s Scenario,
    cache_limit: Option<usize>,
    catalog: Option<&'s Catalog>,
    /// Lanes not in use: as many exist as tasks ever ran at once.
    lanes: Mutex<Vec<Lane<'s>>>,
}

impl<'s> BatchEvaluator<'s> {
    /// An evaluator over `scenario`.
    pub fn new(scenario: &'s Scenario) -> Self {
        BatchEvaluator {
            scenario,
            cache_limit: None,
            catalog: None,
            lanes: Mutex::new(Vec::new()),
        }
    }

    /// An evaluator whose lanes keep at most `limit` prepared requests each.
    pub fn with_cache_limit(scenario: &'s Scenario, limit: usize) -> Self {
        BatchEvaluator {
            cache_limit: Some(limit),
            ..Self::new(scenario)
        }
    }

    /// Checks every row's action against `catalog` (see [`Lane::with_catalog`]).
    pub fn with_catalog(mut self, catalog: &'s Catalog) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// The scenario evaluated against.
    pub fn scenario(&self) -> &'s Scenario {
        self.scenario
    }

    fn take_lane(&self) -> Lane<'s> {
        let reused = self.lanes.lock().ok().and_then(|mut lanes| lanes.pop());
        reused.unwrap_or_else(|| {
            let lane = match self.cache_limit {
                Some(limit) => Lane::with_cache(self.scenario, PreparedRequests::with_limit(limit)),
                None => Lane::new(self.scenario),
            };
            match self.catalog {
                Some(catalog) => lane.with_catalog(catalog),
                None => lane,
            }
        })
    }

    fn give_back(&self, lane: Lane<'s>) {
        if let Ok(mut lanes) = self.lanes.lock() {
            lanes.push(lane);
        }
    }

    /// Cuts `items` into `sinks.len()` contiguous runs, one per sink, and visits the
    /// items of each run in order on a rayon worker with a lane of its own:
    /// `visit(lane, sink, index, item)`. Concatenating the sinks in order gives the
    /// items' order, so a writer can keep one output buffer per sink and write them
    /// out one after the other.
    pub fn for_each_run<T, S, F>(&self, items: &[T], sinks: &mut [S], visit: F)
    where
        T: Sync,
        S: Send,
        F: Fn(&mut Lane<'s>, &mut S, usize, &T) + Sync,
    {
        let n = items.len();
        if sinks.is_empty() || n == 0 {
            return;
        }
        let per = n.div_ceil(sinks.len()).max(1);
        sinks.par_iter_mut().enumerate().for_each(|(k, sink)| {
            let from = (k * per).min(n);
            let to = ((k + 1) * per).min(n);
            if from == to {
                return;
            }
            let mut lane = self.take_lane();
            for (i, item) in items[from..to].iter().enumerate() {
                visit(&mut lane, sink, from + i, item);
            }
            self.give_back(lane);
        });
    }

    /// Maps every item through `f` on the rayon pool, with a lane per worker; the
    /// results come back in input order.
    pub fn map<T, U, F>(&self, items: &[T], f: F) -> Vec<U>
    where
        T: Sync,
        U: Send,
        F: Fn(&mut Lane<'s>, &T) -> U + Sync,
    {
        items
            .par_iter()
            .map_init(
                || LaneGuard {
                    lane: Some(self.take_lane()),
                    owner: self,
                },
                |guard, item| match guard.lane.as_mut() {
                    Some(lane) => f(lane, item),
                    // Never empty: the guard gives its lane back only when dropped.
                    None => f(&mut self.take_lane(), item),
                },
            )
            .collect()
    }
}

/// Returns a lane to its evaluator when a rayon split is done with it.
struct LaneGuard<'e, 's> {
    lane: Option<Lane<'s>>,
    owner: &'e BatchEvaluator<'s>,
}

impl Drop for LaneGuard<'_, '_> {
    fn drop(&mut self) {
        if let Some(lane) = self.lane.take() {
            self.owner.give_back(lane);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::matrix_rows;

    fn flagship() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/connect/scenario.json");
        Scenario::load(&path).expect("flagship scenario loads")
    }

    /// Both entry points must give, row for row and in order, what one request built
    /// from scratch gives: the cache and the parallel split may not change answers.
    #[test]
    fn batch_results_are_in_order_and_match_single_requests() {
        let scenario = flagship();
        let (mut rows, _) = matrix_rows(&scenario, Some(3000));
        rows.push(RequestRow {
            principal: "nobody".into(),
            ..RequestRow::default()
        });
        let expected: Vec<Option<String>> = rows
            .iter()
            .map(|row| {
                let mut request = Request::new("", "", "");
                let set = scenario.prepare(row, &mut request).ok()?;
                Some(set.evaluate(&request).decision.as_str().to_owned())
            })
            .collect();
        let evaluator = BatchEvaluator::with_cache_limit(&scenario, 7);
        let mapped: Vec<Option<String>> = evaluator.map(&rows, |lane, row| {
            let e = lane.evaluate(row.as_row_ref()).ok()?;
            Some(e.response.decision.as_str().to_owned())
        });
        assert_eq!(mapped, expected);
        let mut sinks: Vec<Vec<(usize, Option<String>)>> = vec![Vec::new(); 13];
        evaluator.for_each_run(&rows, &mut sinks, |lane, sink, i, row| {
            let d = lane
                .evaluate(row.as_row_ref())
                .ok()
                .map(|e| e.response.decision.as_str().to_owned());
            sink.push((i, d));
        });
        let flat: Vec<(usize, Option<String>)> = sinks.into_iter().flatten().collect();
        assert_eq!(flat.len(), rows.len());
        for (k, (i, d)) in flat.into_iter().enumerate() {
            assert_eq!(i, k);
            assert_eq!(d, expected[k], "row {k}");
        }
    }

    #[test]
    fn an_unknown_principal_is_a_row_error() {
        let scenario = flagship();
        let mut lane = Lane::new(&scenario);
        let row = RowRef {
            principal: "ghost",
            action: "s3:GetObject",
            resource: "*",
            context: RowContext::Pairs(&[]),
        };
        let err = lane.evaluate(row).map(|e| e.response.decision).unwrap_err();
        assert_eq!(err, scenario.unknown_principal("ghost"));
        let RowError::UnknownPrincipal(u) = &err else {
            panic!("{err}")
        };
        assert_eq!(u.count, scenario.principals().len());
        assert_eq!(u.known[0], "root", "nearest first: {err}");
    }

    #[test]
    fn with_a_catalog_unknown_and_wildcard_actions_are_row_errors() {
        let scenario = flagship();
        let catalog = Catalog::builtin();
        let mut lane = Lane::new(&scenario).with_catalog(catalog);
        let row = |action| RowRef {
            principal: "admin",
            action,
            resource: "arn:aws:s3:::connect-recordings-mycc/x.wav",
            context: RowContext::Pairs(&[]),
        };
        assert!(lane.evaluate(row("s3:GetObject")).is_ok());
        assert!(
            lane.evaluate(row("S3:getobject")).is_ok(),
            "actions ignore case"
        );
        for _ in 0..2 {
            // Twice: the second answer comes from the lane's memory.
            let err = lane.evaluate(row("s3:GetObjects")).map(|_| ()).unwrap_err();
            let RowError::UnknownAction(u) = &err else {
                panic!("{err}")
            };
            assert_eq!(
                u.suggestions.first().map(String::as_str),
                Some("s3:GetObject")
            );
            assert!(
                err.to_string()
                    .starts_with("unknown action `s3:GetObjects` (did you mean"),
                "{err}"
            );
        }
        let err = lane.evaluate(row("s3:Get*")).map(|_| ()).unwrap_err();
        assert!(matches!(err, RowError::WildcardAction(_)), "{err}");
        // Every action the flagship scenario's matrix evaluates is a real one.
        let (rows, _) = matrix_rows(&scenario, None);
        let evaluator = BatchEvaluator::new(&scenario).with_catalog(catalog);
        let errors: Vec<String> = evaluator
            .map(&rows, |lane, row| {
                lane.evaluate(row.as_row_ref()).err().map(|e| e.to_string())
            })
            .into_iter()
            .flatten()
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}
