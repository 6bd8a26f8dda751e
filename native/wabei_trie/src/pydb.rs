//! The trie's node store: a Python mapping (py-evm's BatchDB over Wabei's stores) behind an
//! overlay of nodes the trie made since its last flush.
//!
//! eth_trie writes every node it encodes when it commits a root. py-trie, which this replaces,
//! prunes: after a run of changes only the new nodes that the final root still reaches are left
//! to reach the database. The overlay gives the same result: commits land here, and `flush`
//! copies into the mapping exactly the overlay nodes reachable from the root, then forgets the
//! rest (intermediate roots of earlier commits).
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Mutex;

use alloy_rlp::Header;
use eth_trie::DB;
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// keccak(rlp(b"")): the empty trie's root, never stored (py-trie does not store it either).
pub const BLANK_ROOT: [u8; 32] = [
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
];

/// A failed read of the Python mapping; the Python exception itself waits in `PyDb::error`.
#[derive(Debug)]
pub struct DbError;

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "the node database raised")
    }
}

impl std::error::Error for DbError {}

pub struct PyDb {
    mapping: Py<PyAny>,
    pending: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
    /// Nodes known to be in the mapping already (read from it, or flushed to it): a change that
    /// re-creates one (a value set to what it was) does not write it again. py-trie does not
    /// either: its pruning cancels the write of a node that replaces itself.
    stored: Mutex<HashSet<Vec<u8>>>,
    /// The exception a read of `mapping` raised (other than KeyError), re-raised by the caller.
    pub error: Mutex<Option<PyErr>>,
}

impl PyDb {
    pub fn new(mapping: Py<PyAny>) -> Self {
        PyDb { mapping, pending: Mutex::new(HashMap::new()), stored: Mutex::new(HashSet::new()), error: Mutex::new(None) }
    }

    pub fn mapping(&self) -> &Py<PyAny> {
        &self.mapping
    }

    /// True when `key` is a node here or in the mapping.
    pub fn has(&self, py: Python<'_>, key: &[u8]) -> PyResult<bool> {
        if self.pending.lock().unwrap().contains_key(key) {
            return Ok(true);
        }
        self.mapping.bind(py).contains(PyBytes::new(py, key))
    }

    /// Write to the mapping the overlay nodes reachable from `root` that it does not hold yet;
    /// drop the rest. A node already stored is not opened: its children are stored too.
    pub fn flush(&self, py: Python<'_>, root: &[u8]) -> PyResult<usize> {
        let mut pending = std::mem::take(&mut *self.pending.lock().unwrap());
        let mut stored = self.stored.lock().unwrap();
        let mapping = self.mapping.bind(py);
        let mut stack = vec![root.to_vec()];
        let mut written = 0;
        while let Some(key) = stack.pop() {
            if stored.contains(&key) {
                continue;
            }
            // remove(): a node reached twice (identical subtrees) is written once
            if let Some(node) = pending.remove(&key) {
                child_refs(&node, &mut stack);
                mapping.set_item(PyBytes::new(py, &key), PyBytes::new(py, &node))?;
                stored.insert(key);
                written += 1;
            }
        }
        Ok(written)
    }
}

impl DB for PyDb {
    type Error = DbError;

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        if key == BLANK_ROOT {
            return Ok(Some(vec![0x80]));
        }
        if let Some(node) = self.pending.lock().unwrap().get(key) {
            return Ok(Some(node.clone()));
        }
        Python::with_gil(|py| match self.mapping.bind(py).get_item(PyBytes::new(py, key)) {
            Ok(value) => {
                let node = match value.downcast::<PyBytes>() {
                    Ok(bytes) => bytes.as_bytes().to_vec(),
                    Err(_) => value.extract::<Vec<u8>>().map_err(|e| self.keep(e))?,
                };
                self.stored.lock().unwrap().insert(key.to_vec());
                Ok(Some(node))
            }
            Err(e) if e.is_instance_of::<PyKeyError>(py) => Ok(None),
            Err(e) => Err(self.keep(e)),
        })
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> Result<(), DbError> {
        if key != BLANK_ROOT {
            self.pending.lock().unwrap().insert(key.to_vec(), value);
        }
        Ok(())
    }

    /// Pruning is by reachability at `flush`, so an old node is never removed by name: it may
    /// still be reached from elsewhere in the trie (identical subtrees share a hash).
    fn remove(&self, _key: &[u8]) -> Result<(), DbError> {
        Ok(())
    }

    fn flush(&self) -> Result<(), DbError> {
        Ok(())
    }
}

impl PyDb {
    fn keep(&self, err: PyErr) -> DbError {
        *self.error.lock().unwrap() = Some(err);
        DbError
    }
}

/// Push the 32-byte child references of an encoded node (a branch's 16 slots, an extension's
/// child; never a leaf's value, which may be 32 bytes too). Inline children (< 32 bytes) cannot
/// hold a reference, so they are not opened.
fn child_refs(node: &[u8], out: &mut Vec<Vec<u8>>) {
    let mut buf = node;
    let Ok(list) = Header::decode(&mut buf) else { return };
    if !list.list {
        return;
    }
    let mut items: Vec<(bool, &[u8])> = Vec::with_capacity(17);
    let mut payload = &buf[..list.payload_length.min(buf.len())];
    while !payload.is_empty() {
        let Ok(head) = Header::decode(&mut payload) else { return };
        let len = head.payload_length.min(payload.len());
        items.push((head.list, &payload[..len]));
        payload = &payload[len..];
    }
    let is_ref = |item: &(bool, &[u8])| !item.0 && item.1.len() == 32;
    match items.len() {
        17 => out.extend(items[..16].iter().filter(|i| is_ref(i)).map(|i| i.1.to_vec())),
        2 => {
            let extension = items[0].1.first().map_or(false, |b| b >> 4 < 2);
            if extension && is_ref(&items[1]) {
                out.push(items[1].1.to_vec());
            }
        }
        _ => {}
    }
}
