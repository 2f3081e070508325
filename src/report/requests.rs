//! Request rows as `iamsim gen` writes them: JSON Lines or CSV, the formats
//! `iamsim batch` reads.

use super::escape::{push_csv_field, push_json_str, push_u64};
use iamsim_scenario::generate::{GeneratedRow, GeneratedValue};

/// Appends `row` as one JSON Lines row.
pub fn write_jsonl(row: &GeneratedRow, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"principal\":");
    push_json_str(out, &row.principal);
    out.extend_from_slice(b",\"action\":");
    push_json_str(out, &row.action);
    out.extend_from_slice(b",\"resource\":");
    push_json_str(out, &row.resource);
    if !row.context.is_empty() {
        out.extend_from_slice(b",\"context\":{");
        for (i, (key, value)) in row.context.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_str(out, key);
            out.push(b':');
            match value {
                GeneratedValue::Ip(ip) => {
                    out.push(b'"');
                    push_ip(out, ip);
                    out.push(b'"');
                }
                GeneratedValue::Bool(b) => {
                    out.extend_from_slice(if *b { b"true" } else { b"false" })
                }
            }
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"}\n");
}

/// Appends `row` as one CSV row (`principal,action,resource,context`), using
/// `cell` as scratch for the context cell.
pub fn write_csv(row: &GeneratedRow, cell: &mut Vec<u8>, out: &mut Vec<u8>) {
    push_csv_field(out, &row.principal);
    out.push(b',');
    push_csv_field(out, &row.action);
    out.push(b',');
    push_csv_field(out, &row.resource);
    out.push(b',');
    // `key=value; key=value` never needs quoting: no commas, quotes or line breaks.
    cell.clear();
    for (i, (key, value)) in row.context.iter().enumerate() {
        if i > 0 {
            cell.extend_from_slice(b"; ");
        }
        cell.extend_from_slice(key.as_bytes());
        cell.push(b'=');
        match value {
            GeneratedValue::Ip(ip) => push_ip(cell, ip),
            GeneratedValue::Bool(b) => cell.extend_from_slice(if *b { b"true" } else { b"false" }),
        }
    }
    out.extend_from_slice(cell);
    out.push(b'\n');
}

fn push_ip(out: &mut Vec<u8>, ip: &[u8; 4]) {
    for (i, octet) in ip.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        push_u64(out, u64::from(*octet));
    }
}
