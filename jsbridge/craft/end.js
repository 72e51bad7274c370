})(typeof window !== 'undefined' ? window : this, /*craft-boot*/null);
