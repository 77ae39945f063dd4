//! The changes between two pictures of a director: the items that are new or different,
//! and the keys that are gone. A busy 10,000-server table changes in the few servers whose
//! counters moved, so the stream carries those, not the table.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::state::{DirectorState, Item, Key};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub upsert: BTreeMap<Key, Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<Key>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.upsert.is_empty() && self.remove.is_empty()
    }

    pub fn len(&self) -> usize {
        self.upsert.len() + self.remove.len()
    }
}

/// What turns `old` into `new`.
pub fn diff(old: &DirectorState, new: &DirectorState) -> Changes {
    let upsert = new
        .items
        .iter()
        .filter(|(k, v)| old.items.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = old
        .items
        .keys()
        .filter(|k| !new.items.contains_key(*k))
        .cloned()
        .collect();
    Changes { upsert, remove }
}

/// Applies `changes` to `state`.
pub fn apply(state: &mut DirectorState, changes: &Changes) {
    for k in &changes.remove {
        state.items.remove(k);
    }
    for (k, v) in &changes.upsert {
        state.items.insert(k.clone(), v.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pair::state::{Meta, SyncItem};
    use proptest::prelude::*;

    fn sync(role: &str, id: u32) -> Item {
        Item::Sync(SyncItem {
            role: role.into(),
            instance: None,
            interface: "eth0".into(),
            syncid: id,
            maxlen: None,
            group: None,
            port: None,
            ttl: None,
        })
    }

    fn state(items: &[(String, u32)]) -> DirectorState {
        let mut s = DirectorState::default();
        s.items.insert(
            "meta".into(),
            Item::Meta(Meta {
                host: "lb1".into(),
                ..Meta::default()
            }),
        );
        for (k, v) in items {
            s.items.insert(format!("sync {k}"), sync(k, *v));
        }
        s
    }

    #[test]
    fn only_what_moved_is_carried() {
        let a = state(&[("a".into(), 1), ("b".into(), 2), ("c".into(), 3)]);
        let b = state(&[("a".into(), 1), ("b".into(), 9), ("d".into(), 4)]);
        let c = diff(&a, &b);
        assert_eq!(c.upsert.keys().collect::<Vec<_>>(), ["sync b", "sync d"]);
        assert_eq!(c.remove, ["sync c"]);
        assert!(diff(&b, &b).is_empty());
    }

    proptest! {
        #[test]
        fn applying_the_diff_gives_the_new_picture(
            old in proptest::collection::vec(("[a-e]", 0u32..4), 0..8),
            new in proptest::collection::vec(("[a-e]", 0u32..4), 0..8),
        ) {
            let (old, new) = (state(&old), state(&new));
            let mut got = old.clone();
            apply(&mut got, &diff(&old, &new));
            prop_assert_eq!(got, new);
        }
    }
}
