//! The reporters on whole runs of the pipeline.

mod all_formats;
mod gitlab;
mod junit;
mod markdown;
mod sarif;
