//! The AWS default credentials chain, built on first use so that an
//! [`ObjectStore`](crate::ObjectStore) can be made outside async code.

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_credential_types::provider::future::ProvideCredentials as ProvideCredentialsFuture;
use aws_sdk_s3::config::ProvideCredentials;
use aws_sdk_s3::config::Region;
use tokio::sync::OnceCell;

#[derive(Debug)]
pub(crate) struct LazyDefaultChain {
    region: Region,
    chain: OnceCell<DefaultCredentialsChain>,
}

impl LazyDefaultChain {
    pub(crate) fn new(region: Region) -> Self {
        Self {
            region,
            chain: OnceCell::new(),
        }
    }
}

impl ProvideCredentials for LazyDefaultChain {
    fn provide_credentials<'a>(&'a self) -> ProvideCredentialsFuture<'a>
    where
        Self: 'a,
    {
        ProvideCredentialsFuture::new(async move {
            let chain = self
                .chain
                .get_or_init(|| {
                    DefaultCredentialsChain::builder()
                        .region(self.region.clone())
                        .build()
                })
                .await;
            chain.provide_credentials().await
        })
    }
}
