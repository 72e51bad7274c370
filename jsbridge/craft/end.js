})(typeof window !== 'undefined' ? window : this, /*craft-boot*/null,
   typeof __craftPristine === 'object' ? __craftPristine : null,  // Tkhtml's world, before any page script
   /*craft-flushing*/null);  // Tkhtml's compile puts the world's flushing here (never a page's global)
