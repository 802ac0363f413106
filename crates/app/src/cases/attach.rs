//! Photos of a case: staff attach them (checked by content, EXIF stripped, stored by hash) and
//! read them back within their scope.

use crate::photos::{self, Photo};
use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::ids::CaseId;
use liaison_store::{audit, cases};

/// Attaches a photo to a case the principal may write; at most [`photos::MAX_PHOTOS`] a case.
pub async fn add_photo(app: &App, principal: &Principal, case: CaseId, raw: &[u8]) -> Result<()> {
    let id = case.get();
    let row = cases::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    let loc = row.location().ok_or_else(|| Error::internal("case with invalid region"))?;
    crate::check(principal, Action::CaseWrite, Target::Case(&loc))?;
    let photo: Photo = photos::clean_blocking(raw.to_vec()).await?;
    if cases::photos(&app.db, id).await?.len() >= photos::MAX_PHOTOS {
        let message = format!("每件最多 {} 张照片", photos::MAX_PHOTOS);
        return Err(Error::invalid("too_many_photos", message).field("photos"));
    }
    photos::store(&app.config.data_dir, &photo).map_err(Error::internal)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    cases::add_photo(&mut tx, &row.county_code, id, &photo.hash, photo.mime, photo.bytes.len() as i64, now).await?;
    let ev = AuditEvent {
        county_code: row.county_code.clone(),
        actor: principal.actor(),
        action: "case.photo".into(),
        target: format!("case:{id}"),
        summary: "添加照片".into(),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A photo of a case the principal may read: its bytes and media type.
pub async fn photo_file(app: &App, principal: &Principal, case: CaseId, hash: &str) -> Result<(Vec<u8>, String)> {
    super::readable(app, principal, case).await?;
    let id = case.get();
    let (hash, mime) = cases::photos(&app.db, id).await?.into_iter().find(|(h, _)| h == hash).ok_or(Error::NotFound)?;
    let bytes = std::fs::read(photos::path(&app.config.data_dir, &hash, &mime)).map_err(Error::internal)?;
    Ok((bytes, mime))
}

/// A photo's thumbnail (a JPEG of at most [`photos::THUMB_SIDE`] pixels a side), for whoever may
/// read the photo: made on the first request and kept beside it. A photo that cannot be decoded
/// is answered whole.
pub async fn photo_thumb(app: &App, principal: &Principal, case: CaseId, hash: &str) -> Result<(Vec<u8>, String)> {
    super::readable(app, principal, case).await?;
    let id = case.get();
    let (hash, mime) = cases::photos(&app.db, id).await?.into_iter().find(|(h, _)| h == hash).ok_or(Error::NotFound)?;
    match photos::thumbnail_blocking(app.config.data_dir.clone(), hash.clone(), mime.clone()).await? {
        Some(bytes) => Ok((bytes, "image/jpeg".into())),
        None => {
            tracing::warn!(case = id, "photo cannot be decoded for a thumbnail; answering it whole");
            let bytes = std::fs::read(photos::path(&app.config.data_dir, &hash, &mime)).map_err(Error::internal)?;
            Ok((bytes, mime))
        }
    }
}
