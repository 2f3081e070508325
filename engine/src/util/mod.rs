//! Step 0, leaf utilities, first in the flow: the string hash and small string map every hot
//! path keys by, and ARN splitting. They depend on nothing else in the crate.

pub(crate) mod arn;
pub(crate) mod str_map;
