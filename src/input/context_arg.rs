//! `key=value` context arguments (`eval --context`, the `key=value; key=value` form
//! of a table's context cell).

use iamsim_engine::request::ContextValue;

/// Parses one `key=value`: a value that is a JSON array becomes a multivalued key;
/// anything else is taken as the literal string. Errors quote the pair; the caller
/// says where it came from (`--context`, a table's context cell).
pub fn parse_context_arg(arg: &str) -> Result<(String, ContextValue), String> {
    let (key, value) = arg
        .split_once('=')
        .ok_or_else(|| format!("`{arg}`: expected key=value"))?;
    if key.is_empty() {
        return Err(format!("`{arg}`: empty key"));
    }
    if value.starts_with('[') {
        let items: Vec<serde_json::Value> =
            serde_json::from_str(value).map_err(|e| format!("`{arg}`: invalid JSON array: {e}"))?;
        let texts = items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Ok(s.into_boxed_str()),
                serde_json::Value::Number(n) => Ok(n.to_string().into_boxed_str()),
                serde_json::Value::Bool(b) => Ok(b.to_string().into_boxed_str()),
                other => Err(format!("`{arg}`: unsupported value {other}")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        return Ok((key.to_owned(), ContextValue::Multi(texts)));
    }
    Ok((key.to_owned(), ContextValue::Single(value.into())))
}
