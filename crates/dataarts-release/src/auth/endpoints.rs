//! The IAM and STS endpoints of a region, as Huawei's SDKs derive them: a table of regions
//! with their own endpoint, else a global default.

/// IAM's global endpoint, used for regions without one of their own.
pub(crate) const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";
/// The STS endpoint used for regions without one of their own.
pub(crate) const DEFAULT_STS_ENDPOINT: &str = "https://sts.cn-north-4.myhuaweicloud.com";
/// The ECS metadata service.
pub(crate) const DEFAULT_METADATA_ENDPOINT: &str = "http://169.254.169.254";

/// Regions with an IAM endpoint of their own (`https://iam.{region}.myhuaweicloud.com`).
const IAM_REGIONS: &[&str] = &[
    "cn-north-2",
    "cn-north-4",
    "cn-north-1",
    "cn-east-2",
    "cn-east-3",
    "cn-south-1",
    "cn-south-2",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "af-south-1",
    "sa-brazil-1",
    "la-south-2",
    "na-mexico-1",
    "la-north-2",
    "cn-north-9",
    "eu-west-0",
    "my-kualalumpur-1",
    "ru-moscow-1",
    "me-east-1",
    "ap-southeast-4",
    "ae-ad-1",
    "cn-east-4",
    "cn-east-5",
    "tr-west-1",
    "cn-north-12",
];

/// Regions with an STS endpoint of their own (`https://sts.{region}.myhuaweicloud.com`).
const STS_REGIONS: &[&str] = &[
    "cn-north-4",
    "cn-south-1",
    "cn-east-3",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-3",
    "ap-southeast-2",
    "sa-brazil-1",
    "la-south-2",
    "af-south-1",
    "ap-southeast-4",
    "tr-west-1",
];

/// The IAM endpoint of `region`, and whether it is the region's own (else the global one).
pub(crate) fn iam_for(region: Option<&str>) -> (String, bool) {
    match region.filter(|r| IAM_REGIONS.contains(r)) {
        Some(r) => (format!("https://iam.{r}.myhuaweicloud.com"), true),
        None => (DEFAULT_IAM_ENDPOINT.to_string(), false),
    }
}

/// The STS endpoint of `region`, and whether it is the region's own (else the default).
pub(crate) fn sts_for(region: Option<&str>) -> (String, bool) {
    match region.filter(|r| STS_REGIONS.contains(r)) {
        Some(r) => (format!("https://sts.{r}.myhuaweicloud.com"), true),
        None => (DEFAULT_STS_ENDPOINT.to_string(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_defaults() {
        assert_eq!(
            iam_for(Some("cn-north-4")),
            ("https://iam.cn-north-4.myhuaweicloud.com".into(), true)
        );
        assert_eq!(
            iam_for(Some("eu-west-101")),
            (DEFAULT_IAM_ENDPOINT.into(), false)
        );
        assert_eq!(iam_for(None), (DEFAULT_IAM_ENDPOINT.into(), false));
        assert_eq!(
            sts_for(Some("ap-southeast-1")),
            ("https://sts.ap-southeast-1.myhuaweicloud.com".into(), true)
        );
        assert_eq!(
            sts_for(Some("cn-north-1")),
            (DEFAULT_STS_ENDPOINT.into(), false)
        );
    }
}
