//! Operations that take more than one request: merged purposes, Zhipu's emulated retrieve, MiniMax's purpose
//! lookup before delete, and paging for `listAll`. Each request goes through `transport::send`.

use crate::error::{Error, Kind, Result};
use crate::providers::{check_id, FileObject, ListQuery, Page, Provider};
use crate::providers::HttpRequest;
use crate::transport::{self, CallOptions, Expect, Outcome, Settings, Upload};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;
use web_sys::Response;

/// A configured client.
#[derive(Debug)]
pub struct Client {
    /// Its settings.
    pub s: Settings,
}

/// Where `listAll` is: purposes still to walk (last first) and the cursor within the current one.
#[derive(Debug)]
pub struct Pager {
    purposes: Vec<Option<String>>,
    after: Option<String>,
    q: ListQuery,
}

// `send` answers with the outcome `expect` names; any other is a bug, reported rather than panicking.
fn mismatch() -> Error {
    Error::new(Kind::Decode, "internal error: unexpected outcome")
}

impl Client {
    fn p(&self) -> Provider {
        self.s.provider
    }

    async fn file(&self, req: &HttpRequest, up: Option<&Upload>, o: &CallOptions) -> Result<FileObject> {
        match transport::send(&self.s, req, up, o, Expect::File).await? {
            Outcome::File(f) => Ok(f),
            _ => Err(mismatch()),
        }
    }

    /// Uploads one file.
    pub async fn create(&self, purpose: &str, up: &Upload, o: &CallOptions) -> Result<FileObject> {
        self.file(&self.p().create(&self.s.base, purpose), Some(up), o).await
    }

    async fn list_one(&self, q: &ListQuery, o: &CallOptions) -> Result<Page> {
        match transport::send(&self.s, &self.p().list(&self.s.base, q), None, o, Expect::List).await? {
            Outcome::Page(p) => Ok(p),
            _ => Err(mismatch()),
        }
    }

    /// One page; where the provider needs a purpose and none is given, every listable purpose, merged.
    pub async fn list(&self, q: &ListQuery, o: &CallOptions) -> Result<Page> {
        let p = self.p();
        let Some(all) = p.list_purposes() else {
            let page = self.list_one(q, o).await?;
            // Moonshot's list takes no parameters: they are applied here.
            return Ok(if p == Provider::Moonshot { Page::window(page.files, q) } else { page });
        };
        if p == Provider::Zhipu && q.purpose.is_some() {
            return self.list_one(q, o).await;
        }
        if p == Provider::Zhipu && q.after.is_some() {
            return Err(Error::invalid("zhipu pages each purpose on its own: pass `purpose` together with `after`"));
        }
        let purposes: Vec<&str> = match &q.purpose {
            Some(x) => vec![x.as_str()],
            None => all.to_vec(),
        };
        let pages = join_all(purposes.into_iter().map(|purpose| {
            let one = ListQuery { purpose: Some(purpose.into()), ..q.clone() };
            async move { self.list_one(&one, o).await }
        }))
        .await;
        let (mut files, mut more) = (Vec::new(), false);
        for page in pages {
            let page = page?;
            more |= page.has_more;
            files.extend(page.files);
        }
        let mut page = Page::window(files, &ListQuery { purpose: None, ..q.clone() });
        page.has_more |= more;
        Ok(page)
    }

    /// Starts a walk over every page (and every purpose, where the provider needs one).
    pub fn pager(&self, q: &ListQuery) -> Result<Pager> {
        let purposes = match (self.p().list_purposes(), &q.purpose) {
            (Some(_), None) if q.after.is_some() => {
                return Err(Error::invalid("`after` needs a `purpose` with this provider"));
            }
            (Some(all), None) => all.iter().rev().map(|p| Some(String::from(*p))).collect(),
            _ => vec![q.purpose.clone()],
        };
        Ok(Pager { purposes, after: q.after.clone(), q: q.clone() })
    }

    /// The next page of a walk, or `None` when it is over.
    pub async fn next_page(&self, pg: &mut Pager, o: &CallOptions) -> Result<Option<Vec<FileObject>>> {
        let Some(purpose) = pg.purposes.last().cloned() else { return Ok(None) };
        if matches!(self.p(), Provider::MiniMax | Provider::Moonshot) {
            // One request returns every file of a purpose.
            pg.purposes.pop();
            let q = ListQuery { purpose, limit: None, after: pg.after.take(), order: pg.q.order.clone() };
            return Ok(Some(self.list(&q, o).await?.files));
        }
        let q = ListQuery { purpose, limit: pg.q.limit, after: pg.after.clone(), order: pg.q.order.clone() };
        let page = self.list_one(&q, o).await?;
        let last = page.files.last().map(|f| f.id.clone());
        if !page.has_more {
            pg.purposes.pop();
            pg.after = None;
        } else if last.is_some() && last != pg.after {
            pg.after = last;
        } else {
            pg.purposes.clear();
            return Err(Error::new(Kind::Decode, "the provider said has_more but gave no new cursor"));
        }
        Ok(Some(page.files))
    }

    /// One file's metadata; emulated from list pages on Zhipu, which has no retrieve.
    pub async fn retrieve(&self, id: &str, o: &CallOptions) -> Result<FileObject> {
        if self.p() == Provider::Zhipu {
            check_id(id)?;
            let mut pg = self.pager(&ListQuery { limit: Some(100), ..Default::default() })?;
            while let Some(files) = self.next_page(&mut pg, o).await? {
                if let Some(f) = files.into_iter().find(|f| f.id == id) {
                    return Ok(f);
                }
            }
            return Err(Error::new(Kind::NotFound, "zhipu: no file with this id in any listable purpose"));
        }
        self.file(&self.p().retrieve(&self.s.base, id)?, None, o).await
    }

    /// The download, as the fetch Response (rebuilt only when its body had to be read to spot an error).
    pub async fn content(&self, id: &str, o: &CallOptions) -> Result<Response> {
        match transport::send(&self.s, &self.p().content(&self.s.base, id)?, None, o, Expect::Content).await? {
            Outcome::Response(r) => Ok(r),
            _ => Err(mismatch()),
        }
    }

    /// Deletes a file. A retry that finds the file gone after an attempt that may have deleted it succeeds.
    pub async fn delete(&self, id: &str, purpose: Option<&str>, o: &CallOptions) -> Result<()> {
        let purpose = match (self.p(), purpose) {
            (Provider::MiniMax, None) => self.retrieve(id, o).await?.purpose,
            (_, p) => String::from(p.unwrap_or_default()),
        };
        match transport::send(&self.s, &self.p().delete(&self.s.base, id, &purpose)?, None, o, Expect::Delete).await? {
            Outcome::Deleted => Ok(()),
            _ => Err(mismatch()),
        }
    }
}

/// Runs futures side by side on the one JS thread and returns their outputs in order.
async fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    poll_fn(|cx| {
        let mut pending = false;
        for (f, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
