//! Image options: the settings of create, clone, copy and migrate
//! (`rbd_image_options_t`), each typed string or unsigned integer.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// The options librbd knows, with their C numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImageOption {
    Format = 0,
    Features = 1,
    Order = 2,
    StripeUnit = 3,
    StripeCount = 4,
    JournalOrder = 5,
    JournalSplayWidth = 6,
    JournalPool = 7,
    FeaturesSet = 8,
    FeaturesClear = 9,
    DataPool = 10,
    Flatten = 11,
    CloneFormat = 12,
    MirrorImageMode = 13,
}

impl ImageOption {
    /// The option with C number `n`.
    pub fn from_number(n: i32) -> Result<ImageOption> {
        use ImageOption::*;
        Ok(match n {
            0 => Format,
            1 => Features,
            2 => Order,
            3 => StripeUnit,
            4 => StripeCount,
            5 => JournalOrder,
            6 => JournalSplayWidth,
            7 => JournalPool,
            8 => FeaturesSet,
            9 => FeaturesClear,
            10 => DataPool,
            11 => Flatten,
            12 => CloneFormat,
            13 => MirrorImageMode,
            _ => return Err(Error::invalid(format!("unknown image option {n}"))),
        })
    }

    /// String options; all others are unsigned integers.
    pub fn is_string(self) -> bool {
        matches!(self, ImageOption::JournalPool | ImageOption::DataPool)
    }
}

/// A typed option value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageOptionValue {
    Str(String),
    U64(u64),
}

/// A set of image options.
#[derive(Clone, Debug, Default)]
pub struct ImageOptions {
    values: BTreeMap<ImageOption, ImageOptionValue>,
}

impl ImageOptions {
    /// Sets an option; the value's type must be the option's (`InvalidArgument`).
    pub fn set(&mut self, option: ImageOption, value: ImageOptionValue) -> Result<()> {
        if option.is_string() != matches!(value, ImageOptionValue::Str(_)) {
            return Err(Error::invalid(format!("wrong value type for image option {option:?}")));
        }
        self.values.insert(option, value);
        Ok(())
    }

    /// A string option: `InvalidArgument` if it is not a string option, `NotFound` if unset.
    pub fn get_str(&self, option: ImageOption) -> Result<&str> {
        if !option.is_string() {
            return Err(Error::invalid(format!("image option {option:?} is not a string")));
        }
        match self.values.get(&option) {
            Some(ImageOptionValue::Str(s)) => Ok(s),
            _ => Err(Error::not_found(format!("image option {option:?}"))),
        }
    }

    /// An integer option: `InvalidArgument` if it is a string option, `NotFound` if unset.
    pub fn get_u64(&self, option: ImageOption) -> Result<u64> {
        if option.is_string() {
            return Err(Error::invalid(format!("image option {option:?} is not an integer")));
        }
        match self.values.get(&option) {
            Some(ImageOptionValue::U64(v)) => Ok(*v),
            _ => Err(Error::not_found(format!("image option {option:?}"))),
        }
    }

    /// Whether an option is set.
    pub fn is_set(&self, option: ImageOption) -> bool {
        self.values.contains_key(&option)
    }

    /// Removes an option; `NotFound` if it was not set.
    pub fn unset(&mut self, option: ImageOption) -> Result<()> {
        self.values.remove(&option).map(|_| ()).ok_or_else(|| Error::not_found(format!("image option {option:?}")))
    }

    /// Removes every option.
    pub fn clear(&mut self) {
        self.values.clear();
    }

    /// True when no option is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_set_get_unset() {
        let mut o = ImageOptions::default();
        assert!(o.is_empty());
        assert!(o.set(ImageOption::Order, ImageOptionValue::Str("x".into())).is_err());
        o.set(ImageOption::Order, ImageOptionValue::U64(22)).unwrap();
        o.set(ImageOption::DataPool, ImageOptionValue::Str("ec".into())).unwrap();
        assert_eq!(o.get_u64(ImageOption::Order).unwrap(), 22);
        assert!(matches!(o.get_u64(ImageOption::DataPool), Err(Error::InvalidArgument(_))));
        assert!(matches!(o.get_u64(ImageOption::Features), Err(Error::NotFound(_))));
        assert_eq!(o.get_str(ImageOption::DataPool).unwrap(), "ec");
        o.unset(ImageOption::Order).unwrap();
        assert!(o.unset(ImageOption::Order).is_err());
        assert!(ImageOption::from_number(14).is_err());
        o.clear();
        assert!(o.is_empty());
    }
}
